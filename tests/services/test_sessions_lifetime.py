"""Sessions: tickets bound to one browser, atomic refresh rotation, idle and absolute ends."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app import db
from app.db import session_scope
from app.errors import InvalidInput, NotAuthenticated
from app.models import AuthSession, UserRead, utcnow
from services import auth
from tests.factories import PASSWORD, make_user


@pytest.fixture(autouse=True)
def _close_pooled_connections() -> Iterator[None]:
    """Parallel threads leave several pooled SQLite connections behind; one of them later
    reports a stale schema to tests that migrate the shared database (tests/test_migrations)."""
    yield
    db.get_engine().dispose()


def _age(session_id: uuid.UUID, **shifts: timedelta) -> None:
    """Move a session's clocks into the past, as if that much time had gone by."""
    with session_scope() as s:
        row = s.get(AuthSession, session_id)
        assert row is not None
        values = {name: getattr(row, name) - shift for name, shift in shifts.items()}
        s.execute(update(AuthSession).where(AuthSession.id == session_id).values(**values))


def _row(session_id: uuid.UUID) -> AuthSession:
    with session_scope() as s:
        row = s.get(AuthSession, session_id)
        assert row is not None
        return row


def _ticket(person: UserRead, nonce: str) -> auth.IssuedSession:
    with session_scope() as s:
        return auth.sign_in(s, email=person.email, password=PASSWORD, kind='browser', nonce=nonce)


def _activate(ticket: str, nonce: str) -> auth.IssuedSession:
    with session_scope() as s:
        return auth.activate_browser_session(s, ticket=ticket, nonce=nonce)


# ---------------------------------------------------------------- sign-in tickets


def test_a_ticket_works_only_beside_the_nonce_it_was_issued_for() -> None:
    person = make_user()
    ticket = _ticket(person, nonce='browser-a-nonce')
    for other in ('', 'browser-b-nonce'):  # a fresh browser; the attacker's own browser
        with pytest.raises(NotAuthenticated):
            _activate(ticket.token, other)
    cookie = _activate(ticket.token, 'browser-a-nonce')
    assert cookie.info.user.id == person.id
    with pytest.raises(NotAuthenticated):  # once only
        _activate(ticket.token, 'browser-a-nonce')


def test_the_cookie_session_never_carries_the_ticket_id() -> None:
    person = make_user()
    ticket = _ticket(person, nonce='n')
    cookie = _activate(ticket.token, 'n')
    assert cookie.info.session_id != ticket.info.session_id
    assert not cookie.token.startswith(ticket.info.session_id.hex)
    with session_scope() as s:
        assert s.get(AuthSession, ticket.info.session_id) is None
        info = auth.validate_browser_session(s, token=cookie.token)
    assert info.session_id == cookie.info.session_id


def test_two_exchanges_of_one_ticket_at_once_give_one_session() -> None:
    person = make_user()
    ticket = _ticket(person, nonce='n')
    results = _all_at_once(6, lambda: _activate(ticket.token, 'n'))
    assert sum(isinstance(r, auth.IssuedSession) for r in results) == 1
    assert sum(isinstance(r, NotAuthenticated) for r in results) == 5


# ---------------------------------------------------------------- refresh rotation


def _api(person: UserRead) -> auth.IssuedSession:
    with session_scope() as s:
        return auth.sign_in(s, email=person.email, password=PASSWORD, kind='api')


def _refresh(token: str) -> auth.IssuedSession:
    with session_scope() as s:
        return auth.refresh(s, refresh_token=token)


def _all_at_once(count: int, attempt: object) -> list[object]:
    assert callable(attempt)
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = attempt()
        except BaseException as error:  # recorded for the assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.parametrize('parallel', [2, 8])
def test_parallel_refreshes_of_one_token_end_the_session(parallel: int) -> None:
    issued = _api(make_user())
    results = _all_at_once(parallel, lambda: _refresh(issued.token))
    winners = [r for r in results if isinstance(r, auth.IssuedSession)]
    assert len(winners) == 1, results
    assert all(isinstance(r, NotAuthenticated) for r in results if r is not winners[0])
    # The losers were treated as reuse: the whole session ended, the winner's token too.
    assert _row(issued.info.session_id).revoked_at is not None
    with pytest.raises(NotAuthenticated):
        _refresh(winners[0].token)


def test_rotation_keeps_the_family_start() -> None:
    issued = _api(make_user())
    started = _row(issued.info.session_id).created_at
    _refresh(_refresh(issued.token).token)
    assert _row(issued.info.session_id).created_at == started


def test_a_family_ends_at_its_absolute_lifetime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('API_SESSION_MAX_DAYS', '10')
    auth.get_settings.cache_clear()
    issued = _api(make_user())
    assert issued.info.expires_at - _row(issued.info.session_id).created_at == timedelta(days=10)
    _age(issued.info.session_id, created_at=timedelta(days=9, hours=23))
    token = _refresh(issued.token)
    assert token.info.expires_at - utcnow() < timedelta(hours=1)
    _age(issued.info.session_id, created_at=timedelta(hours=1))
    with pytest.raises(NotAuthenticated) as caught:
        _refresh(token.token)
    assert not isinstance(caught.value, auth.SessionIdle)


# ---------------------------------------------------------------- idle timeout


def test_an_idle_refresh_token_is_refused_as_inactivity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('SESSION_IDLE_MINUTES', '30')
    auth.get_settings.cache_clear()
    issued = _api(make_user())
    _age(issued.info.session_id, last_seen_at=timedelta(minutes=29))
    token = _refresh(issued.token)  # within the limit: works, and counts as activity
    assert utcnow() - _row(issued.info.session_id).last_seen_at < timedelta(minutes=1)
    _age(issued.info.session_id, last_seen_at=timedelta(minutes=31))
    with pytest.raises(auth.SessionIdle):
        _refresh(token.token)
    access, _ = auth.issue_access_token(token.info)
    auth.clear_session_cache()
    with pytest.raises(auth.SessionIdle):
        auth.authenticate_access_token(access)


def test_an_idle_browser_session_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('SESSION_IDLE_MINUTES', '60')
    auth.get_settings.cache_clear()
    cookie = _activate(_ticket(make_user(), nonce='n').token, 'n')
    _age(cookie.info.session_id, last_seen_at=timedelta(minutes=59))
    with session_scope() as s:
        auth.validate_browser_session(s, token=cookie.token)  # activity: the clock restarts
    _age(cookie.info.session_id, last_seen_at=timedelta(minutes=61))
    with pytest.raises(auth.SessionIdle), session_scope() as s:
        auth.validate_browser_session(s, token=cookie.token)


# ---------------------------------------------------------------- sign-out by cookie


def test_ending_a_browser_session_by_its_cookie() -> None:
    cookie = _activate(_ticket(make_user(), nonce='n').token, 'n')
    with session_scope() as s:
        auth.end_browser_session(s, token=cookie.token.split('.')[0] + '.forged')
        auth.end_browser_session(s, token='not-a-token')
    assert _row(cookie.info.session_id).revoked_at is None
    with session_scope() as s:
        auth.end_browser_session(s, token=cookie.token)
    assert _row(cookie.info.session_id).revoked_at is not None
    with session_scope() as s:
        assert s.exec(select(AuthSession).where(AuthSession.revoked_at == None)).all() == []  # noqa: E711


@pytest.mark.parametrize('secret', ['\ud800', 'caf\u00e9', '\x00'])
def test_tokens_with_odd_text_are_simply_invalid(secret: str) -> None:
    issued = _api(make_user())
    token = f'{issued.info.session_id.hex}.{secret}'
    with pytest.raises(NotAuthenticated):
        _refresh(token)
    with pytest.raises(NotAuthenticated):
        _activate(token, 'n')
    with pytest.raises(NotAuthenticated), session_scope() as s:
        auth.validate_browser_session(s, token=token)


@pytest.mark.parametrize('current', ['\ud800 not it', 'nul\x00 not it'])
def test_changing_password_with_odd_current_text_is_a_field_error(current: str) -> None:
    person = make_user()
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        auth.change_password(
            s, actor_id=person.id, current_password=current, new_password='brand new pw'
        )
    assert caught.value.field == 'current_password'
