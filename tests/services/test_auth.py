from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.db import session_scope
from app.errors import AuthFailed, Conflict, InvalidInput, NotAuthenticated, RateLimited
from app.models import AuthSession, User, utcnow
from app.security import decode_access_token, hash_password, pwd_context
from services import auth
from tests.factories import PASSWORD, make_user


def test_register_normalises_email_and_hashes_with_argon2id() -> None:
    user = make_user(email='  Ada.Lovelace@Example.COM ')
    assert user.email == 'ada.lovelace@example.com'
    with session_scope() as s:
        stored = s.get(User, user.id)
        assert stored is not None
        assert stored.password_hash.startswith('$argon2id$v=19$m=19456,t=2,p=1$')
        assert PASSWORD not in stored.password_hash
    assert user.created_at.tzinfo is not None
    assert user.created_at.utcoffset() == timedelta(0)


def test_email_is_unique_case_insensitively() -> None:
    make_user(email='sam@example.com')
    with pytest.raises(Conflict), session_scope() as s:
        auth.register(s, email='SAM@example.com', password=PASSWORD)


@pytest.mark.parametrize(
    ('email', 'password', 'field'),
    [
        ('not-an-email', PASSWORD, 'email'),
        ('', PASSWORD, 'email'),
        ('a@example.com', '1234567', 'password'),
        ('a@example.com', 'x' * 257, 'password'),
        ('a@example.com', 'abc\x00defgh', 'password'),
    ],
)
def test_register_rejects_bad_input_with_the_field(email: str, password: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        auth.register(s, email=email, password=password)
    assert caught.value.field == field
    with session_scope() as s:
        assert s.exec(select(User)).all() == []


def test_password_boundaries_are_exact_and_never_truncated() -> None:
    make_user(email='eight@example.com', password='8charsOK')
    long_password = 'p' * 255 + 'q'  # one repeated character alone is refused
    make_user(email='long@example.com', password=long_password)
    with session_scope() as s:
        assert auth.authenticate(s, email='long@example.com', password=long_password)
        with pytest.raises(AuthFailed):
            auth.authenticate(s, email='long@example.com', password=long_password[:-1])


def test_authenticate_gives_one_error_for_unknown_email_and_wrong_password() -> None:
    make_user(email='kim@example.com')
    messages = []
    for email, password in (
        ('kim@example.com', 'wrong password'),
        ('nobody@example.com', PASSWORD),
    ):
        with pytest.raises(AuthFailed) as caught, session_scope() as s:
            auth.authenticate(s, email=email, password=password)
        messages.append(caught.value.message)
    assert messages == ['Invalid email or password.', 'Invalid email or password.']


def test_unknown_email_costs_a_hash_verification_too() -> None:
    make_user(email='kim@example.com')

    def timed(email: str) -> float:
        start = time.perf_counter()
        with pytest.raises(AuthFailed), session_scope() as s:
            auth.authenticate(s, email=email, password='wrong password')
        return time.perf_counter() - start

    known = min(timed('kim@example.com') for _ in range(3))
    unknown = min(timed('nobody@example.com') for _ in range(3))
    # Not a performance assertion: a missing dummy verification would make this ~100x faster.
    assert unknown > known / 3


def test_outdated_hash_is_upgraded_on_sign_in() -> None:
    user = make_user(email='old@example.com')
    weak = pwd_context.handler('argon2').using(memory_cost=8192, rounds=1).hash(PASSWORD)
    with session_scope() as s:
        s.execute(update(User).where(User.id == user.id).values(password_hash=weak))
    with session_scope() as s:
        auth.authenticate(s, email='old@example.com', password=PASSWORD)
    with session_scope() as s:
        stored = s.get(User, user.id)
        assert stored is not None
        assert stored.password_hash.startswith('$argon2id$v=19$m=19456,t=2,p=1$')


def test_failed_sign_ins_are_limited_per_email_but_success_is_not() -> None:
    make_user(email='lim@example.com')
    for _ in range(5):
        with session_scope() as s:
            auth.sign_in(s, email='lim@example.com', password=PASSWORD, kind='api', address='a')
    for _ in range(5):
        with pytest.raises(AuthFailed), session_scope() as s:
            auth.sign_in(s, email='LIM@example.com', password='nope-nope', kind='api', address='a')
    with pytest.raises(RateLimited) as caught, session_scope() as s:
        auth.sign_in(s, email='lim@example.com', password=PASSWORD, kind='api', address='b')
    assert 1 <= caught.value.retry_after <= 60


def test_registrations_are_limited_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('RATE_LIMIT_REGISTER', '2/hour')
    auth.get_settings.cache_clear()
    for n in range(2):
        with session_scope() as s:
            auth.register(s, email=f'r{n}@example.com', password=PASSWORD, address='10.0.0.1')
    with pytest.raises(RateLimited), session_scope() as s:
        auth.register(s, email='r3@example.com', password=PASSWORD, address='10.0.0.1')
    with session_scope() as s:
        auth.register(s, email='r4@example.com', password=PASSWORD, address='10.0.0.2')


def test_refused_registrations_spend_no_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('RATE_LIMIT_REGISTER', '2/hour')
    auth.get_settings.cache_clear()
    for password in ('password123', 'short', 'abcdefgh'):  # common, too short, a run
        with pytest.raises(InvalidInput), session_scope() as s:
            auth.register(s, email='fumble@example.com', password=password, address='10.0.0.3')
    for n in range(2):  # the whole budget is still there
        with session_scope() as s:
            auth.register(s, email=f'ok{n}@example.com', password=PASSWORD, address='10.0.0.3')
    with pytest.raises(RateLimited), session_scope() as s:  # a taken email still counts
        auth.register(s, email='ok0@example.com', password=PASSWORD, address='10.0.0.3')


def _api_session(email: str = 'api@example.com') -> auth.IssuedSession:
    make_user(email=email)
    with session_scope() as s:
        return auth.sign_in(s, email=email, password=PASSWORD, kind='api')


def test_sessions_store_only_a_hash_of_their_secret() -> None:
    issued = _api_session()
    with session_scope() as s:
        row = s.get(AuthSession, issued.info.session_id)
        assert row is not None
        assert issued.token.split('.')[1] not in row.secret_hash
        assert len(row.secret_hash) == 64


def test_access_token_names_the_session_and_dies_with_it() -> None:
    issued = _api_session()
    token, lifetime = auth.issue_access_token(issued.info)
    assert lifetime == 15 * 60
    claims = decode_access_token(token)
    assert claims is not None
    assert claims.session_id == issued.info.session_id
    assert auth.authenticate_access_token(token).user.email == 'api@example.com'
    with session_scope() as s:
        auth.revoke_session(s, actor_id=issued.info.user.id, session_id=issued.info.session_id)
    with pytest.raises(NotAuthenticated):
        auth.authenticate_access_token(token)


def test_refresh_rotates_and_reuse_ends_the_session() -> None:
    first = _api_session()
    with session_scope() as s:
        second = auth.refresh(s, refresh_token=first.token)
    assert second.token != first.token
    assert second.info.session_id == first.info.session_id
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.refresh(s, refresh_token=first.token)
    # The reuse ended the session: even the newest token no longer works.
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.refresh(s, refresh_token=second.token)


@pytest.mark.parametrize(
    'token',
    ['', 'garbage', 'a.b', f'{uuid.uuid4().hex}.secret', 'x' * 500],
    ids=['empty', 'garbage', 'two-parts', 'unknown-session', 'long'],
)
def test_malformed_refresh_tokens_are_refused(token: str) -> None:
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.refresh(s, refresh_token=token)


def test_expired_refresh_token_is_refused() -> None:
    issued = _api_session()
    with session_scope() as s:
        s.execute(
            update(AuthSession)
            .where(AuthSession.id == issued.info.session_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.refresh(s, refresh_token=issued.token)


def test_browser_ticket_is_single_use_and_becomes_a_cookie_token() -> None:
    user = make_user(email='web@example.com')
    with session_scope() as s:
        ticket = auth.start_session(s, user=user, kind='browser')
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.validate_browser_session(s, token=ticket.token)  # pending: not yet a sign-in
    with session_scope() as s:
        cookie = auth.activate_browser_session(s, ticket=ticket.token)
    assert (cookie.info.expires_at - utcnow()).days == 13
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.activate_browser_session(s, ticket=ticket.token)
    with session_scope() as s:
        assert auth.validate_browser_session(s, token=cookie.token).user.id == user.id


def test_browser_ticket_expires_after_a_minute() -> None:
    user = make_user(email='late@example.com')
    with session_scope() as s:
        ticket = auth.start_session(s, user=user, kind='browser')
        s.execute(
            update(AuthSession)
            .where(AuthSession.id == ticket.info.session_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.activate_browser_session(s, ticket=ticket.token)


def test_session_tokens_do_not_cross_kinds() -> None:
    issued = _api_session()
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.validate_browser_session(s, token=issued.token)


def test_revoke_leaves_other_peoples_sessions_alone() -> None:
    mine = _api_session('mine@example.com')
    theirs = _api_session('theirs@example.com')
    with session_scope() as s:
        auth.revoke_session(s, actor_id=mine.info.user.id, session_id=theirs.info.session_id)
    with session_scope() as s:
        assert auth.refresh(s, refresh_token=theirs.token)


def test_change_password_checks_current_and_ends_other_sessions() -> None:
    user = make_user(email='pw@example.com')
    with session_scope() as s:
        keep = auth.start_session(s, user=user, kind='api')
        other = auth.start_session(s, user=user, kind='api')
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        auth.change_password(
            s, actor_id=user.id, current_password='wrong one', new_password='brand new pw'
        )
    assert caught.value.field == 'current_password'
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        auth.change_password(s, actor_id=user.id, current_password=PASSWORD, new_password='short')
    assert caught.value.field == 'new_password'
    with session_scope() as s:
        auth.change_password(
            s,
            actor_id=user.id,
            current_password=PASSWORD,
            new_password='brand new pw',
            keep_session_id=keep.info.session_id,
        )
    with session_scope() as s:
        assert auth.refresh(s, refresh_token=keep.token)
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.refresh(s, refresh_token=other.token)
    with session_scope() as s:
        assert auth.authenticate(s, email='pw@example.com', password='brand new pw')


def test_password_hash_uses_owasp_parameters() -> None:
    assert hash_password('anything long').startswith('$argon2id$v=19$m=19456,t=2,p=1$')
