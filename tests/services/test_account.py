"""A person's account: settings, email, password, sessions, the calendar feed, deletion."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import func, select

from app.db import session_scope
from app.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, RateLimited
from app.models import AuthSession, Task, TaskList, User
from services import account, auth, calendar, lists, tasks
from services.events import session_ends
from tests.factories import PASSWORD, make_task, make_user

FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'
SAFARI_PHONE = (
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 '
    '(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1'
)
EDGE = (
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
    'Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0'
)


def _api_session(user_id: uuid.UUID, user_agent: str = FIREFOX, address: str = '203.0.113.7'):  # type: ignore[no-untyped-def]
    with session_scope() as session:
        user = auth.get_user(session, user_id=user_id)
        return auth.start_session(
            session, user=user, kind='api', user_agent=user_agent, address=address
        )


@pytest.mark.parametrize(
    ('agent', 'device'),
    [
        (FIREFOX, 'Firefox on Linux'),
        (SAFARI_PHONE, 'Safari on iOS'),
        (EDGE, 'Edge on Windows'),
        ('curl/8.5.0', 'curl'),
        ('', 'Unknown browser'),
    ],
)
def test_devices_are_named_from_the_user_agent(agent: str, device: str) -> None:
    assert account.describe_device(agent) == device


def test_sessions_list_the_device_and_address_and_mark_the_current_one(database: str) -> None:
    person = make_user()
    here = _api_session(person.id, FIREFOX, '203.0.113.7')
    there = _api_session(person.id, 'Mozilla/5.0\x00\n (iPhone) Safari ' + 'x' * 400, '::1')
    with session_scope() as session:
        found = account.list_sessions(
            session, actor_id=person.id, current_session_id=here.info.session_id
        )
    by_id = {item.id: item for item in found}
    assert by_id[here.info.session_id].device == 'Firefox on Linux'
    assert by_id[here.info.session_id].address == '203.0.113.7'
    assert by_id[here.info.session_id].current is True
    assert by_id[there.info.session_id].current is False
    with session_scope() as session:
        stored = session.get(AuthSession, there.info.session_id)
        assert stored is not None
        assert len(stored.user_agent) == 256
        assert '\x00' not in stored.user_agent
        assert '\n' not in stored.user_agent


def test_revoking_a_session_ends_it_and_announces_it(database: str) -> None:
    person = make_user()
    here = _api_session(person.id)
    there = _api_session(person.id)
    ended: list[uuid.UUID] = []
    unsubscribe = session_ends.subscribe(there.info.session_id, ended.append)
    try:
        with session_scope() as session:
            account.revoke_session(session, actor_id=person.id, session_id=there.info.session_id)
    finally:
        unsubscribe()
    assert ended == [there.info.session_id]
    with session_scope() as session:
        assert [s.id for s in account.list_sessions(session, actor_id=person.id)] == [
            here.info.session_id
        ]
        with pytest.raises(NotFound):  # already ended
            account.revoke_session(session, actor_id=person.id, session_id=there.info.session_id)


def test_someone_elses_session_is_not_found_and_stays(database: str) -> None:
    owner, other = make_user(), make_user()
    theirs = _api_session(owner.id)
    with session_scope() as session, pytest.raises(NotFound):
        account.revoke_session(session, actor_id=other.id, session_id=theirs.info.session_id)
    with session_scope() as session:
        assert len(account.list_sessions(session, actor_id=owner.id)) == 1


def test_signing_out_everywhere_else_keeps_this_session(database: str) -> None:
    person = make_user()
    here = _api_session(person.id)
    _api_session(person.id)
    _api_session(person.id)
    with session_scope() as session:
        ended = account.revoke_other_sessions(
            session, actor_id=person.id, keep_session_id=here.info.session_id
        )
    assert ended == 2
    with session_scope() as session:
        assert [s.id for s in account.list_sessions(session, actor_id=person.id)] == [
            here.info.session_id
        ]


def test_changing_the_password_ends_every_other_session_and_announces_each(
    database: str,
) -> None:
    person = make_user()
    here = _api_session(person.id)
    there = _api_session(person.id)
    ended: list[uuid.UUID] = []
    unsubscribe = session_ends.subscribe(there.info.session_id, ended.append)
    try:
        with session_scope() as session:
            account.change_password(
                session,
                actor_id=person.id,
                current_password=PASSWORD,
                new_password='a new and longer secret',
                keep_session_id=here.info.session_id,
            )
    finally:
        unsubscribe()
    assert ended == [there.info.session_id]
    with session_scope() as session:
        assert auth.authenticate(session, email=person.email, password='a new and longer secret')


@pytest.mark.parametrize(
    ('current', 'new', 'field'),
    [
        ('wrong password', 'a new and longer secret', 'current_password'),
        (PASSWORD, 'password', 'new_password'),
    ],
)
def test_a_wrong_current_or_a_common_new_password_changes_nothing(
    database: str, current: str, new: str, field: str
) -> None:
    person = make_user()
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        account.change_password(
            session,
            actor_id=person.id,
            current_password=current,
            new_password=new,
            keep_session_id=None,
        )
    assert caught.value.field == field
    with session_scope() as session:
        assert auth.authenticate(session, email=person.email, password=PASSWORD)


def test_changing_the_email_needs_the_password_and_a_free_address(database: str) -> None:
    person = make_user()
    taken = make_user()
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        account.change_email(session, actor_id=person.id, password='nope', new_email='a@b.org')
    assert caught.value.field == 'password'
    with session_scope() as session, pytest.raises(Conflict):
        account.change_email(
            session, actor_id=person.id, password=PASSWORD, new_email=taken.email.upper()
        )
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        account.change_email(session, actor_id=person.id, password=PASSWORD, new_email='nope')
    assert caught.value.field == 'email'
    with session_scope() as session:
        changed = account.change_email(
            session, actor_id=person.id, password=PASSWORD, new_email='  New@Example.COM '
        )
    assert changed.email == 'new@example.com'
    with session_scope() as session:
        assert auth.authenticate(session, email='new@example.com', password=PASSWORD)


def test_settings_change_only_what_is_given(database: str) -> None:
    person = make_user()
    with session_scope() as session:
        errands = lists.create_list(session, actor_id=person.id, name='Errands')
        changed = account.update_settings(
            session, actor_id=person.id, week_start='sunday', default_list_id=errands.id
        )
    assert (changed.week_start, changed.theme, changed.default_list_id) == (
        'sunday',
        'system',
        errands.id,
    )
    with session_scope() as session:
        changed = account.update_settings(
            session, actor_id=person.id, theme='dark', time_zone='Asia/Tokyo'
        )
    assert (changed.week_start, changed.theme, changed.time_zone) == (
        'sunday',
        'dark',
        'Asia/Tokyo',
    )
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        account.update_settings(session, actor_id=person.id, theme='neon')
    assert caught.value.field == 'theme'
    # Deleting the default list sets it back to the Inbox (None).
    with session_scope() as session:
        lists.delete_list(session, actor_id=person.id, list_id=errands.id)
        assert account.get_account(session, actor_id=person.id).default_list_id is None


def test_another_persons_list_cannot_be_the_default(database: str) -> None:
    person, other = make_user(), make_user()
    with session_scope() as session:
        theirs = lists.create_list(session, actor_id=other.id, name='Theirs')
    with session_scope() as session, pytest.raises(NotFound):
        account.update_settings(session, actor_id=person.id, default_list_id=theirs.id)
    with session_scope() as session:
        assert account.get_account(session, actor_id=person.id).default_list_id is None


def test_deleting_the_account_removes_everything_of_theirs_only(database: str) -> None:
    person, other = make_user(), make_user()
    make_task(person)
    make_task(other, title='Stays')
    here = _api_session(person.id)
    ended: list[uuid.UUID] = []
    unsubscribe = session_ends.subscribe(here.info.session_id, ended.append)
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        account.delete_account(
            session, actor_id=person.id, password=PASSWORD, confirmation='yes please'
        )
    assert caught.value.field == 'confirmation'
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        account.delete_account(
            session, actor_id=person.id, password='wrong', confirmation='delete my account'
        )
    assert caught.value.field == 'password'
    try:
        with session_scope() as session:
            account.delete_account(
                session, actor_id=person.id, password=PASSWORD, confirmation='Delete my account'
            )
    finally:
        unsubscribe()
    assert ended == [here.info.session_id]
    with session_scope() as session:
        for model, column in (
            (Task, Task.owner_id),
            (TaskList, TaskList.owner_id),
            (AuthSession, AuthSession.user_id),
            (User, User.id),
        ):
            count = session.execute(
                select(func.count()).select_from(model).where(column == person.id)  # type: ignore[arg-type]
            ).scalar_one()
            assert count == 0, model
        assert [t.title for t in tasks.list_tasks(session, actor_id=other.id).items] == ['Stays']
        with pytest.raises(NotAuthenticated):
            auth.get_user(session, user_id=person.id)


def test_the_calendar_feed_has_open_due_tasks_and_regenerating_ends_the_old_url(
    database: str,
) -> None:
    person = make_user()
    with session_scope() as session:
        account.update_settings(session, actor_id=person.id, time_zone='Europe/Berlin')
        tasks.create_task(session, actor_id=person.id, title='All day', due_date=date(2026, 12, 1))
        tasks.create_task(
            session,
            actor_id=person.id,
            title='Timed',
            due_date=date(2026, 12, 2),
            due_time=time(9, 30),
            priority=3,
        )
        done = tasks.create_task(
            session, actor_id=person.id, title='Done', due_date=date(2026, 12, 1)
        )
        tasks.toggle_task(session, actor_id=person.id, task_id=done.id)
        tasks.create_task(session, actor_id=person.id, title='No date')
        assert calendar.feed_token(session, actor_id=person.id) is None
        token = calendar.regenerate_feed(session, actor_id=person.id)
        assert calendar.feed_token(session, actor_id=person.id) == token
    other = make_user()
    make_task(other, title='Not theirs')
    with session_scope() as session:
        body = calendar.render_feed(session, token=token, now=datetime(2026, 11, 25, tzinfo=UTC))
    parsed = Calendar.from_ical(body)
    events = recurring_ical_events.of(parsed).between(date(2026, 11, 30), date(2026, 12, 3))
    by_title = {str(event['SUMMARY']): event for event in events}
    assert set(by_title) == {'All day', 'Timed'}
    assert by_title['All day'].decoded('DTSTART') == date(2026, 12, 1)
    assert by_title['All day'].decoded('DTEND') == date(2026, 12, 2)
    # 09:30 in Berlin, sent in UTC (readers that honour X-WR-TIMEZONE show it in Berlin).
    assert by_title['Timed'].decoded('DTSTART') == datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    assert b'DTSTART:20261202T083000Z' in body
    assert int(by_title['Timed']['PRIORITY']) == 1
    with session_scope() as session:
        calendar.regenerate_feed(session, actor_id=person.id)
    with session_scope() as session, pytest.raises(NotFound):
        calendar.render_feed(session, token=token)
    forged = token[:33] + ('0' * 32)
    with session_scope() as session, pytest.raises(NotFound):
        calendar.render_feed(session, token=forged)


def test_password_confirmations_are_rate_limited_like_sign_in(database: str) -> None:
    person = make_user()
    for _ in range(5):  # RATE_LIMIT_LOGIN is 5/minute in the tests
        with session_scope() as session, pytest.raises(InvalidInput):
            account.delete_account(
                session, actor_id=person.id, password='guess', confirmation='delete my account'
            )
    with session_scope() as session, pytest.raises(RateLimited):
        account.change_email(
            session, actor_id=person.id, password=PASSWORD, new_email='x@example.com'
        )
    with session_scope() as session:
        assert account.get_account(session, actor_id=person.id).email == person.email


def test_a_browser_session_keeps_the_device_that_completed_the_sign_in(database: str) -> None:
    person = make_user()
    with session_scope() as session:
        ticket = auth.sign_in(
            session,
            email=person.email,
            password=PASSWORD,
            kind='browser',
            address='198.51.100.4',
            nonce='n',
        )
        cookie = auth.activate_browser_session(
            session, ticket=ticket.token, nonce='n', user_agent=SAFARI_PHONE, address='198.51.100.9'
        )
        found = account.list_sessions(
            session, actor_id=person.id, current_session_id=cookie.info.session_id
        )
    assert [(s.kind, s.device, s.address, s.current) for s in found] == [
        ('browser', 'Safari on iOS', '198.51.100.9', True)
    ]


def test_an_api_token_from_the_settings_page_is_a_listed_api_session() -> None:
    person = make_user()
    with session_scope() as s:
        token = account.create_api_token(s, actor_id=person.id, address='192.0.2.9')
    with session_scope() as s:
        issued = auth.refresh(s, refresh_token=token, address='192.0.2.9')
        listed = account.list_sessions(s, actor_id=person.id)
    assert issued.info.user.id == person.id
    assert [(entry.kind, entry.device, entry.address) for entry in listed] == [
        ('api', 'API token (settings page)', '192.0.2.9')
    ]
