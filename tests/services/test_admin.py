"""Admins: who may, what they see, and what they may do to other people (never to themselves)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select

from app.db import session_scope
from app.errors import AppError, AuthFailed, Conflict, InvalidInput, NotAuthenticated, NotFound
from app.models import AuthSession, Invitation, Task, TaskList, User, UserRead, utcnow
from app.security import hash_password
from services import admin, auth, invitations
from services.events import session_ends
from tests.factories import PASSWORD, make_task, make_user


def make_admin(email: str = 'boss@example.com') -> UserRead:
    """An admin, written directly: whatever REGISTRATION a test has set."""
    with session_scope() as session:
        user = User(email=email, password_hash=hash_password(PASSWORD), is_admin=True)
        session.add(user)
        session.flush()
        return UserRead.model_validate(user)


def signed_in(person: UserRead, kind: auth.SessionKind = 'api') -> auth.IssuedSession:
    with session_scope() as session:
        issued = auth.start_session(session, user=person, kind=kind)
        if kind == 'browser':
            issued = auth.activate_browser_session(session, ticket=issued.token)
        return issued


def test_admin_emails_make_admins_at_sign_up_and_at_sign_in(
    configure: Callable[..., None],
) -> None:
    earlier = make_user(email='Later.Boss@example.com')
    assert earlier.is_admin is False
    configure(ADMIN_EMAILS='first.boss@example.com, LATER.boss@example.com')
    first = make_user(email='First.Boss@example.com')
    assert first.is_admin is True
    with session_scope() as session:
        issued = auth.sign_in(session, email=earlier.email, password=PASSWORD, kind='api')
    assert issued.info.user.is_admin is True
    with session_scope() as session:
        assert admin.is_admin(session, actor_id=earlier.id)
    assert make_user(email='someone@example.com').is_admin is False


def test_everything_is_not_found_for_someone_who_is_not_an_admin() -> None:
    person = make_user()
    other = make_user()
    calls = [
        lambda s: admin.list_people(s, actor_id=person.id),
        lambda s: admin.set_deactivated(s, actor_id=person.id, user_id=other.id, deactivated=True),
        lambda s: admin.set_admin(s, actor_id=person.id, user_id=person.id, admin=True),
        lambda s: admin.delete_person(
            s, actor_id=person.id, user_id=other.id, confirmation=other.email
        ),
        lambda s: admin.reset_link(s, actor_id=person.id, user_id=other.id, base_url='http://x'),
        lambda s: invitations.create_invitation(s, actor_id=person.id, base_url='http://x'),
        lambda s: invitations.list_invitations(s, actor_id=person.id, base_url='http://x'),
    ]
    for call in calls:
        with pytest.raises(NotFound) as caught, session_scope() as session:
            call(session)
        assert caught.value.message == 'Not Found'
    with session_scope() as session:
        stored = session.get(User, other.id)
        assert stored is not None
        assert stored.deactivated_at is None
        assert session.get(User, person.id).is_admin is False  # type: ignore[union-attr]


def test_the_list_shows_last_seen_and_live_sessions() -> None:
    boss = make_admin()
    person = make_user(email='alice@example.com')
    signed_in(person)
    browser = signed_in(person, 'browser')
    ended = signed_in(person)
    with session_scope() as session:
        auth.revoke_session(session, actor_id=person.id, session_id=ended.info.session_id)
        row = session.get(AuthSession, browser.info.session_id)
        assert row is not None
        row.last_seen_at = utcnow() + timedelta(minutes=5)
        seen = row.last_seen_at
    with session_scope() as session:
        people = admin.list_people(session, actor_id=boss.id)
    assert [p.email for p in people] == ['alice@example.com', 'boss@example.com']
    alice = people[0]
    assert alice.active_sessions == 2
    assert alice.last_seen_at == seen
    assert (alice.is_admin, alice.deactivated) == (False, False)
    assert people[1].is_admin is True
    assert people[1].active_sessions == 0
    assert people[1].last_seen_at is None


def test_deactivating_ends_every_session_at_once_and_bars_sign_in() -> None:
    boss = make_admin()
    person = make_user()
    api = signed_in(person)
    browser = signed_in(person, 'browser')
    heard: list[object] = []
    stop = [session_ends.subscribe(s.info.session_id, heard.append) for s in (api, browser)]
    token, _ = auth.issue_access_token(api.info)
    assert auth.authenticate_access_token(token).user.id == person.id  # now cached
    with session_scope() as session:
        shown = admin.set_deactivated(
            session, actor_id=boss.id, user_id=person.id, deactivated=True
        )
    assert shown.deactivated is True
    assert shown.active_sessions == 0
    assert set(heard) == {api.info.session_id, browser.info.session_id}
    with pytest.raises(NotAuthenticated):
        auth.authenticate_access_token(token)
    with pytest.raises(NotAuthenticated), session_scope() as session:
        auth.validate_browser_session(session, token=browser.token)
    with pytest.raises(AuthFailed) as caught, session_scope() as session:
        auth.sign_in(session, email=person.email, password=PASSWORD, kind='api')
    assert 'deactivated' in caught.value.message
    with pytest.raises(AuthFailed) as wrong, session_scope() as session:
        auth.sign_in(session, email=person.email, password='not the password', kind='api')
    assert wrong.value.message == 'Invalid email or password.'  # nothing told without it

    with session_scope() as session:
        back = admin.set_deactivated(
            session, actor_id=boss.id, user_id=person.id, deactivated=False
        )
    assert back.deactivated is False
    with session_scope() as session:
        assert auth.sign_in(session, email=person.email, password=PASSWORD, kind='api')
    for unsubscribe in stop:
        unsubscribe()


def test_an_admin_cannot_act_on_themselves() -> None:
    boss = make_admin()
    for call in (
        lambda s: admin.set_deactivated(s, actor_id=boss.id, user_id=boss.id, deactivated=True),
        lambda s: admin.set_admin(s, actor_id=boss.id, user_id=boss.id, admin=False),
        lambda s: admin.delete_person(
            s, actor_id=boss.id, user_id=boss.id, confirmation=boss.email
        ),
    ):
        with pytest.raises(Conflict), session_scope() as session:
            call(session)
    with session_scope() as session:
        stored = session.get(User, boss.id)
        assert stored is not None
        assert stored.is_admin
        assert stored.deactivated_at is None


def test_make_and_remove_admin(configure: Callable[..., None]) -> None:
    boss = make_admin()
    person = make_user()
    with session_scope() as session:
        assert admin.set_admin(session, actor_id=boss.id, user_id=person.id, admin=True).is_admin
    # The new admin may now remove the first one, who then sees nothing.
    with session_scope() as session:
        admin.set_admin(session, actor_id=person.id, user_id=boss.id, admin=False)
    with pytest.raises(NotFound), session_scope() as session:
        admin.list_people(session, actor_id=boss.id)
    configure(ADMIN_EMAILS=boss.email)
    with session_scope() as session:
        admin.set_admin(session, actor_id=person.id, user_id=boss.id, admin=True)
    with pytest.raises(Conflict) as caught, session_scope() as session:
        admin.set_admin(session, actor_id=person.id, user_id=boss.id, admin=False)
    assert 'ADMIN_EMAILS' in caught.value.message


def test_a_deactivated_admin_is_no_admin() -> None:
    boss = make_admin()
    second = make_admin('second@example.com')
    with session_scope() as session:
        admin.set_deactivated(session, actor_id=boss.id, user_id=second.id, deactivated=True)
    with pytest.raises(NotFound), session_scope() as session:
        admin.list_people(session, actor_id=second.id)
    with pytest.raises(Conflict), session_scope() as session:
        admin.set_admin(session, actor_id=boss.id, user_id=second.id, admin=True)


def test_deleting_someone_takes_everything_of_theirs() -> None:
    boss = make_admin()
    person = make_user()
    keep = make_task(boss, title='Mine')
    make_task(person, title='Theirs')
    api = signed_in(person)
    with session_scope() as session:
        invitation = invitations.create_invitation(session, actor_id=boss.id, base_url='http://x')
        session.get(Invitation, invitation.id).used_by = person.id  # type: ignore[union-attr]
    with pytest.raises(InvalidInput) as caught, session_scope() as session:
        admin.delete_person(session, actor_id=boss.id, user_id=person.id, confirmation='yes')
    assert caught.value.field == 'confirmation'
    heard: list[object] = []
    stop = session_ends.subscribe(api.info.session_id, heard.append)
    with session_scope() as session:
        admin.delete_person(
            session, actor_id=boss.id, user_id=person.id, confirmation=person.email.upper()
        )
    stop()
    assert heard == [api.info.session_id]
    with session_scope() as session:
        assert session.get(User, person.id) is None
        assert session.exec(select(Task.title)).all() == [keep.title]
        assert session.exec(select(TaskList.owner_id).distinct()).all() == [boss.id]
        assert session.exec(select(AuthSession).where(AuthSession.user_id == person.id)).all() == []
        assert session.get(Invitation, invitation.id).used_by is None  # type: ignore[union-attr]
    with pytest.raises(NotFound), session_scope() as session:
        admin.delete_person(session, actor_id=boss.id, user_id=person.id, confirmation=person.email)


def test_a_reset_link_is_for_an_active_person() -> None:
    boss = make_admin()
    person = make_user()
    with session_scope() as session:
        issued = admin.reset_link(
            session, actor_id=boss.id, user_id=person.id, base_url='https://tasks.example.com/'
        )
    assert issued.link.startswith('https://tasks.example.com/reset?token=')
    with session_scope() as session:
        admin.set_deactivated(session, actor_id=boss.id, user_id=person.id, deactivated=True)
    with pytest.raises(Conflict), session_scope() as session:
        admin.reset_link(session, actor_id=boss.id, user_id=person.id, base_url='http://x')


def test_two_admins_removing_each_other_at_once_leave_one(database: str) -> None:
    first = make_admin('first@example.com')
    second = make_admin('second@example.com')
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(actor: UserRead, target: UserRead) -> None:
        barrier.wait()
        try:
            with session_scope() as session:
                admin.set_admin(session, actor_id=actor.id, user_id=target.id, admin=False)
            outcomes.append('removed')
        except AppError as error:
            outcomes.append(type(error).__name__)

    threads = [
        threading.Thread(target=remove, args=(first, second)),
        threading.Thread(target=remove, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count('removed') == 1
    if database == 'postgresql':  # the second waited for the admins' rows, then was no admin
        assert sorted(outcomes) == ['NotFound', 'removed']
    with session_scope() as session:
        admins = session.exec(select(User.email).where(User.is_admin)).all()
    assert len(admins) == 1
