"""services/local.py on both databases: the desktop's one person, whom no password opens."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from app.db import session_scope
from app.errors import AuthFailed, InvalidInput
from app.models import User
from services import account, auth, local


@pytest.fixture(autouse=True)
def _on_both_databases(database: str) -> str:
    return database


def test_the_local_person_is_made_once_and_found_on_every_later_launch() -> None:
    with session_scope() as session:
        first = local.ensure_local_person(session)
    with session_scope() as session:
        again = local.ensure_local_person(session)
        count = session.exec(select(func.count()).select_from(User)).one()
    assert again.id == first.id
    assert first.email == local.LOCAL_EMAIL
    assert count == 1


@pytest.mark.parametrize('password', ['', 'password', 'correct horse battery'])
def test_nobody_signs_in_to_the_local_person_with_a_password(password: str) -> None:
    with session_scope() as session:
        local.ensure_local_person(session)
    with session_scope() as session, pytest.raises(AuthFailed):
        auth.sign_in(session, email=local.LOCAL_EMAIL, password=password, kind='api')


def test_nobody_can_sign_up_as_the_local_person() -> None:
    with session_scope() as session, pytest.raises(InvalidInput):
        auth.register(session, email=local.LOCAL_EMAIL, password='correct horse battery')


def test_a_local_session_is_a_live_browser_session_of_the_local_person() -> None:
    with session_scope() as session:
        issued = local.open_local_session(session)
    with session_scope() as session:
        info = auth.validate_browser_session(session, token=issued.token)
    assert info.user.email == local.LOCAL_EMAIL
    assert info.session_id == issued.info.session_id


def test_the_sessions_list_names_the_desktop_window_for_what_it_is() -> None:
    with session_scope() as session:
        issued = local.open_local_session(session)
    with session_scope() as session:
        (listed,) = account.list_sessions(
            session, actor_id=issued.info.user.id, current_session_id=issued.info.session_id
        )
    assert (listed.device, listed.address, listed.current) == ('Tasklight desktop', 'desktop', True)


def test_a_first_launch_that_loses_the_race_uses_the_winner_s_row() -> None:
    with session_scope() as winner_session:
        winner = local.ensure_local_person(winner_session)
    with session_scope() as session:
        # As if this launch had looked before the other one committed.
        session.exec(select(User).where(User.email == local.LOCAL_EMAIL)).first()
        original = session.exec
        calls = {'n': 0}

        def first_lookup_misses(statement, *args, **kwargs):  # type: ignore[no-untyped-def]
            calls['n'] += 1
            result = original(statement, *args, **kwargs)
            if calls['n'] == 1:
                return _Empty()
            return result

        session.exec = first_lookup_misses  # type: ignore[method-assign]
        loser = local.ensure_local_person(session)
    assert loser.id == winner.id


class _Empty:
    def first(self) -> None:
        return None


def test_a_window_signed_in_as_someone_else_gets_the_local_person() -> None:
    with session_scope() as session:
        other = auth.register(session, email='guest@example.com', password='correct horse battery')
        ticket = auth.start_session(session, user=other, kind='browser')
        theirs = auth.activate_browser_session(session, ticket=ticket.token).token
    with session_scope() as session:
        mine = local.window_session_token(session, token=theirs)
    assert mine is not None
    with session_scope() as session:
        assert local.window_session_token(session, token=mine) is None
        assert auth.validate_browser_session(session, token=mine).user.email == local.LOCAL_EMAIL
