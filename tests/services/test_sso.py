"""Accounts from an identity provider's verified claims, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from app.config import get_settings
from app.db import session_scope
from app.models import UserIdentity
from services import lists, sso
from tests.factories import make_user

ISSUER = 'https://id.example'


@pytest.fixture
def admin_group(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv('OIDC_ADMIN_GROUP', 'admins')
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _claims(sub: str, email: str, **more: object) -> dict[str, object]:
    return {'sub': sub, 'email': email, 'email_verified': True, **more}


def test_a_new_person_gets_an_account_with_an_inbox_and_one_identity() -> None:
    with session_scope() as s:
        made = sso.account_for(s, issuer=ISSUER, claims=_claims('s1', 'Ann@Example.com'))
    with session_scope() as s:
        again = sso.account_for(s, issuer=ISSUER, claims=_claims('s1', 'ann@example.com'))
        assert [e.name for e in lists.list_lists(s, actor_id=made.id)] == ['Inbox']
        identities = s.exec(select(UserIdentity.user_id, UserIdentity.subject)).all()
    assert (made.email, again.id) == ('ann@example.com', made.id)
    assert [tuple(row) for row in identities] == [(made.id, 's1')]


def test_the_same_subject_at_another_issuer_is_someone_else() -> None:
    with session_scope() as s:
        first = sso.account_for(s, issuer=ISSUER, claims=_claims('s1', 'a@example.com'))
    with session_scope() as s:
        other = sso.account_for(
            s, issuer='https://other.example', claims=_claims('s1', 'b@example.com')
        )
    assert first.id != other.id


def test_only_a_verified_email_links_an_existing_account() -> None:
    existing = make_user(email='sam@example.com')
    with pytest.raises(sso.SsoRefused), session_scope() as s:
        sso.account_for(
            s, issuer=ISSUER, claims=_claims('s2', 'sam@example.com', email_verified=False)
        )
    with pytest.raises(sso.SsoRefused), session_scope() as s:
        sso.account_for(
            s, issuer=ISSUER, claims=_claims('s2', 'sam@example.com', email_verified='true')
        )
    with session_scope() as s:
        assert s.exec(select(UserIdentity)).all() == []
        linked = sso.account_for(s, issuer=ISSUER, claims=_claims('s2', 'sam@example.com'))
    assert linked.id == existing.id


def test_no_subject_or_no_email_is_refused() -> None:
    from app.errors import AuthFailed

    with pytest.raises(AuthFailed), session_scope() as s:
        sso.account_for(s, issuer=ISSUER, claims={'email': 'x@example.com'})
    with pytest.raises(sso.SsoRefused), session_scope() as s:
        sso.account_for(s, issuer=ISSUER, claims={'sub': 's3', 'email_verified': True})


def test_the_admin_group_decides_at_every_sign_in(admin_group: None) -> None:
    with session_scope() as s:
        made = sso.account_for(
            s, issuer=ISSUER, claims=_claims('s4', 'boss@example.com', groups=['admins'])
        )
    assert made.is_admin
    with session_scope() as s:
        later = sso.account_for(
            s, issuer=ISSUER, claims=_claims('s4', 'boss@example.com', groups='staff')
        )
    assert not later.is_admin


def test_an_address_taken_over_by_another_subject_does_not_open_the_old_account() -> None:
    with session_scope() as s:
        first = sso.account_for(s, issuer=ISSUER, claims=_claims('old-sub', 'desk@example.com'))
    with pytest.raises(sso.SsoRefused), session_scope() as s:
        sso.account_for(s, issuer=ISSUER, claims=_claims('new-sub', 'desk@example.com'))
    with session_scope() as s:
        subjects = s.exec(select(UserIdentity.subject).where(UserIdentity.user_id == first.id))
        assert list(subjects) == ['old-sub']
