"""New passwords found in leaked-password lists are refused at sign-up and change (ASVS 6.2.4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from nicegui.testing import User
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import text
from sqlmodel import select

from app import db, passwords
from app.db import session_scope
from app.errors import InvalidInput
from app.models import Credentials, Password
from app.models import User as UserRow
from services import auth
from tests.api.conftest import build_app
from tests.conftest import TABLES
from tests.factories import PASSWORD, make_user
from tests.ui.helpers import submit_form

ISSUE_EXAMPLES = ['password123', '12345678', 'qwertyuiop', 'iloveyou']


@pytest.fixture
def fresh_list() -> Iterator[None]:
    passwords.common_passwords.cache_clear()
    yield
    passwords.common_passwords.cache_clear()


def test_the_list_is_zxcvbns_thirty_thousand_leaked_passwords() -> None:
    common = passwords.common_passwords()
    assert len(common) == 30_000
    assert {'123456', 'password', 'letmein', 'trustno1', *ISSUE_EXAMPLES} <= common
    assert passwords.common_passwords() is common  # loaded once per process


def test_without_the_source_file_the_module_gives_the_same_list(
    fresh_list: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen desktop build keeps only bytecode: the import fallback must find the same list."""
    from_source = passwords.common_passwords()
    passwords.common_passwords.cache_clear()
    monkeypatch.setattr(passwords.importlib.util, 'find_spec', lambda name: None)
    assert passwords.common_passwords() == from_source


@pytest.mark.parametrize(
    'password',
    [*ISSUE_EXAMPLES, 'PassWord123', ' iloveyou ', 'ＱＷＥＲＴＹＵＩＯＰ', 'trustno1'],
)
def test_common_passwords_are_refused_whatever_their_case_or_width(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Password).validate_python(password)
    assert passwords.COMMON in str(caught.value)


@pytest.mark.parametrize('password', ['zzzzzzzz', 'abababab', 'xyzxyzxyz', 'abcdefgh', '98765432'])
def test_trivial_repetitions_and_runs_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Password).validate_python(password)
    assert passwords.TRIVIAL in str(caught.value)


@pytest.mark.parametrize(
    'password',
    [PASSWORD, 'brand new pw', '8charsOK', 'abcabcab', 'pass-word-1234-x', 'p' * 7 + 'q'],
)
def test_ordinary_passwords_pass(password: str) -> None:
    assert TypeAdapter(Password).validate_python(password) == password


def test_the_email_or_its_local_part_is_refused_as_a_password() -> None:
    for password in ('Maria.Fernanda', 'maria.fernanda@example.com'):
        with pytest.raises(ValidationError) as caught:
            Credentials(email='maria.fernanda@example.com', password=password)
        assert caught.value.errors()[0]['loc'] == ('password',)
        assert passwords.EMAIL in str(caught.value)
    adapter = TypeAdapter(Password)
    with pytest.raises(ValidationError, match='your email address'):
        adapter.validate_python('Maria.Fernanda', context={'email': 'maria.fernanda@example.com'})
    assert adapter.validate_python('Maria.Fernanda') == 'Maria.Fernanda'


def test_the_sign_in_request_never_judges_a_password() -> None:
    from api.schemas import LoginRequest

    assert LoginRequest(email='old@example.com', password='12345678').password == '12345678'


@pytest.mark.parametrize('password', ISSUE_EXAMPLES)
def test_api_sign_up_refuses_them_with_the_reason(database: str, password: str) -> None:
    with TestClient(build_app(), base_url='http://testserver') as client:
        response = client.post(
            '/api/auth/register', json={'email': 'new@example.com', 'password': password}
        )
    assert response.status_code == 422
    [error] = response.json()['detail']
    assert error['loc'] == ['body', 'password']
    assert passwords.COMMON in error['msg']
    with session_scope() as session:
        assert session.exec(select(UserRow)).all() == []


def test_service_sign_up_and_password_change_refuse_them(database: str) -> None:
    with pytest.raises(InvalidInput) as caught, session_scope() as session:
        auth.register(session, email='svc@example.com', password='iloveyou')
    assert (caught.value.field, caught.value.reason) == ('password', passwords.COMMON)

    person = make_user(email='svc@example.com')
    with pytest.raises(InvalidInput) as caught, session_scope() as session:
        auth.change_password(
            session, actor_id=person.id, current_password=PASSWORD, new_password='Password123'
        )
    assert (caught.value.field, caught.value.reason) == ('new_password', passwords.COMMON)
    with pytest.raises(InvalidInput) as caught, session_scope() as session:
        auth.change_password(
            session, actor_id=person.id, current_password=PASSWORD, new_password='svc@example.com'
        )
    assert (caught.value.field, caught.value.reason) == ('new_password', passwords.EMAIL)
    with session_scope() as session:  # the old password still works: nothing was changed
        assert auth.authenticate(session, email='svc@example.com', password=PASSWORD)


@pytest.fixture
def app_database() -> Iterator[None]:
    """As in tests/ui: main.py migrates and connects to the configured database."""
    db.set_engine(None)
    yield
    with db.get_engine().begin() as connection:
        for table in TABLES:
            connection.execute(text(f'DELETE FROM {table}'))


async def test_the_sign_up_page_says_why_under_the_password_field(
    app_database: None, user: User
) -> None:
    await submit_form(
        user,
        '/signup',
        'Sign up',
        email='ui@example.com',
        password='qwertyuiop',
        confirm='qwertyuiop',
    )
    await user.should_see(passwords.COMMON)
    await user.should_not_see('New task')
