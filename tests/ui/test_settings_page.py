"""/settings in the simulated browser: account, sessions, preferences, import, calendar feed,
deleting the account."""

from __future__ import annotations

import json
import re
from pathlib import Path

from nicegui import ElementFilter, ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from app.db import session_scope
from app.errors import AuthFailed, NotAuthenticated
from services import account, auth, calendar, lists
from tests.factories import PASSWORD, make_user
from tests.ui.helpers import (
    eventually,
    make_list,
    on_path,
    open_as,
    route_navigation,
    signed_in_person,
    stored_lists,
    stored_tasks,
    task_in,
)

DATA = Path(__file__).resolve().parent.parent / 'data'


def field(user: User, marker: str) -> ui.input:
    with user:
        return user.find(marker=marker).elements.pop()  # type: ignore[return-value]


def present(user: User, marker: str) -> bool:
    """Whether an element marked `marker` is on the page (`user.find` raises when none is)."""
    with user:
        return bool(list(ElementFilter(marker=marker)))


def settings_of(person_id) -> account.AccountRead:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        return account.get_account(s, actor_id=person_id)


async def open_settings(user: User) -> None:
    await user.open('/settings')
    await user.should_see(marker='account-section', retries=50)


async def test_a_stranger_is_sent_to_sign_in(user: User) -> None:
    await user.open('/settings')
    await user.should_see('Welcome back')
    await user.should_not_see(marker='account-section')


async def test_the_header_links_to_settings_and_the_page_has_one_heading(user: User) -> None:
    await signed_in_person(user)
    link = user.find(marker='settings-link').elements.pop()
    assert link.props['href'] == '/settings'
    assert link.props['aria-label'] == 'Settings'
    await open_settings(user)
    with user:
        headings = [e for e in user.find(kind=ui.element).elements if e.tag == 'h1']
    assert [h.props.get('innerHTML') or getattr(h, 'text', '') for h in headings] == ['Settings']
    for marker in (
        'sessions-section',
        'preferences',
        'data-section',
        'calendar-section',
        'delete-section',
    ):
        await user.should_see(marker=marker)


async def test_changing_the_email_needs_the_password_and_a_free_address(user: User) -> None:
    me = await signed_in_person(user)
    make_user(email='taken@example.com')
    await open_settings(user)
    user.find(marker='new-email').clear().type('new@example.com')
    user.find(marker='email-password').type('wrong password')
    user.find(marker='change-email').click()
    await eventually(lambda: field(user, 'email-password').error == account.WRONG_PASSWORD)
    assert field(user, 'new-email').value == 'new@example.com'  # what was typed stays
    user.find(marker='email-password').clear().type(PASSWORD)
    user.find(marker='new-email').clear().type('Taken@Example.com')
    user.find(marker='change-email').click()
    await eventually(
        lambda: field(user, 'new-email').error == 'An account with this email already exists.'
    )
    user.find(marker='new-email').clear().type('New@Example.com')
    user.find(marker='email-password').clear().type(PASSWORD)
    user.find(marker='change-email').click()
    await user.should_see('Email changed.', retries=100)
    assert settings_of(me.id).email == 'new@example.com'
    assert field(user, 'user-email').text == 'new@example.com'  # the header follows
    assert field(user, 'email-password').value == ''


async def test_changing_the_password_checks_each_field_and_ends_the_other_sessions(
    user: User, create_user
) -> None:  # type: ignore[no-untyped-def]
    me = await signed_in_person(user)
    other_tab = create_user()
    route_navigation(user, other_tab)
    await open_as(other_tab, me)
    await open_settings(user)
    user.find(marker='current-password').type(PASSWORD)
    user.find(marker='new-password').type('a much better secret')
    user.find(marker='confirm-password').type('a different secret')
    user.find(marker='change-password').click()
    await eventually(lambda: field(user, 'confirm-password').error == 'The passwords do not match.')
    user.find(marker='confirm-password').clear().type('a much better secret')
    user.find(marker='current-password').clear().type('not my password')
    user.find(marker='change-password').click()
    await eventually(lambda: field(user, 'current-password').error is not None)
    user.find(marker='current-password').clear().type(PASSWORD)
    user.find(marker='new-password').clear().type('password')
    user.find(marker='confirm-password').clear().type('password')
    user.find(marker='change-password').click()
    await eventually(lambda: field(user, 'new-password').error is not None)
    user.find(marker='new-password').clear().type('a much better secret')
    user.find(marker='confirm-password').clear().type('a much better secret')
    user.find(marker='change-password').click()
    # Done: the form empties (the notification goes to the last simulated User, not this one).
    await eventually(lambda: field(user, 'current-password').value == '')
    assert field(user, 'new-password').value == field(user, 'confirm-password').value == ''
    await eventually(lambda: on_path(other_tab, '/login'))  # the other tab left at once
    with session_scope() as s:
        auth.authenticate(s, email=me.email, password='a much better secret')
    await user.open('/settings')  # this tab's own session stays
    await user.should_see(marker='account-section', retries=50)


async def test_sessions_are_listed_and_one_or_all_others_signed_out(
    user: User, create_user
) -> None:  # type: ignore[no-untyped-def]
    me = await signed_in_person(user)
    phone, laptop = create_user(), create_user()
    route_navigation(user, phone, laptop)
    await open_as(phone, me)
    await open_as(laptop, me)
    await open_settings(user)
    await eventually(lambda: len(user.find(marker='this-device').elements) == 1)
    with session_scope() as s:
        listed = account.list_sessions(s, actor_id=me.id)
    assert len(listed) == 3
    others = [entry for entry in listed if present(user, f'end-session-{entry.id}')]
    assert len(others) == 2
    button = user.find(marker=f'end-session-{others[0].id}').elements.pop()
    assert button.props['aria-label'].startswith('Sign out ')
    user.find(marker=f'end-session-{others[0].id}').click()
    await eventually(lambda: not present(user, f'session-{others[0].id}'))
    with session_scope() as s:
        assert len(account.list_sessions(s, actor_id=me.id)) == 2
    user.find(marker='end-other-sessions').click()
    await eventually(lambda: not present(user, f'session-{others[1].id}'))
    await eventually(lambda: on_path(phone, '/login') and on_path(laptop, '/login'))
    with session_scope() as s:
        assert len(account.list_sessions(s, actor_id=me.id)) == 1


async def test_a_session_ended_elsewhere_leaves_the_list_at_once(user: User, create_user) -> None:  # type: ignore[no-untyped-def]
    me = await signed_in_person(user)
    await open_settings(user)
    with session_scope() as s:
        ticket = auth.start_session(s, user=me, kind='api')
    await user.open('/settings')  # a new sign-in shows on the next read
    await user.should_see(marker=f'session-{ticket.info.session_id}', retries=50)
    with session_scope() as s:
        account.revoke_session(s, actor_id=me.id, session_id=ticket.info.session_id)
    await eventually(lambda: not present(user, f'session-{ticket.info.session_id}'))


async def test_preferences_are_saved_as_they_are_chosen(user: User) -> None:
    me = await signed_in_person(user)
    work = make_list(me, 'Work')
    await open_settings(user)
    user.find(marker='week-start').click()
    field(user, 'week-start').set_value('sunday')
    field(user, 'theme').set_value('dark')
    field(user, 'time-zone').set_value('Asia/Tokyo')
    field(user, 'default-list').set_value(work.id)
    await eventually(
        lambda: (
            (
                (s := settings_of(me.id)).week_start,
                s.theme,
                s.time_zone,
                s.default_list_id,
            )
            == ('sunday', 'dark', 'Asia/Tokyo', work.id)
        )
    )
    with user:
        (dark,) = user.find(kind=ui.dark_mode).elements
    await eventually(lambda: dark.value is True)  # applied once its save has come back
    field(user, 'default-list').set_value(0)  # the Inbox
    await eventually(lambda: settings_of(me.id).default_list_id is None)
    # The dashboard follows: dark, and its date picker starts the week on Sunday.
    await user.open('/tasks/today')
    await user.should_see(marker='new-due-button', retries=50)
    user.find(marker='new-due-button').click()  # its menu is built when opened
    assert field(user, 'new-due').props['first-day-of-week'] == '0'


async def test_a_new_task_from_today_goes_to_the_default_list(user: User) -> None:
    me = await signed_in_person(user)
    work = make_list(me, 'Work')
    with session_scope() as s:
        account.update_settings(s, actor_id=me.id, default_list_id=work.id)
    await user.open('/tasks/today')
    await user.should_see(marker='new-title', retries=50)
    user.find(marker='new-title').type('Report')
    user.find(marker='new-add').click()
    await eventually(
        lambda: [(t.title, t.list_id) for t in stored_tasks(me)] == [('Report', work.id)]
    )


async def _upload(user: User, name: str, data: bytes) -> None:
    with user:
        upload = user.find(marker='import-upload').elements.pop()
    await upload.handle_uploads([SmallFileUpload(name=name, content_type='text/csv', _data=data)])  # type: ignore[attr-defined]


async def test_importing_a_todoist_csv_shows_a_preview_then_imports(user: User) -> None:
    me = await signed_in_person(user)
    await open_settings(user)
    await _upload(user, 'Home.csv', (DATA / 'todoist-home.csv').read_bytes())
    await user.should_see(marker='import-summary', retries=100)
    await user.should_see('This file will add 5 tasks and 2 new lists.')
    await user.should_see('Line 4: due date "every saturday" not understood')
    assert stored_lists(me) == [('Inbox', 'grey')]  # nothing written yet
    user.find(marker='import-confirm').click()
    await user.should_see(marker='import-done', retries=100)
    await user.should_see('Imported 5 tasks and 2 new lists.')
    link = user.find(marker='import-open-lists').elements.pop()
    assert link.props['href'] == '/tasks'
    # The file's name is the project's: its tasks land in "Home" and its section's list.
    assert [name for name, _ in stored_lists(me)] == ['Inbox', 'Home', 'Home / Garden']
    assert len(stored_tasks(me)) == 5


async def test_a_tasklight_file_says_which_preferences_it_sets_and_sets_them(user: User) -> None:
    me = await signed_in_person(user)
    await open_settings(user)
    document = {
        'format': 'tasklight',
        'version': 2,
        'preferences': {'week_start': 'sunday', 'theme': 'dark', 'default_list': 2},
        'lists': [{'ref': 1, 'name': 'Inbox', 'inbox': True}, {'ref': 2, 'name': 'Work'}],
        'tasks': [],
    }
    await _upload(user, 'tasklight.json', json.dumps(document).encode())
    await user.should_see(marker='import-preferences', retries=100)
    await user.should_see(
        'It also sets the week to start on Sunday, the theme to dark and your default list to '
        '“Work”.'
    )
    assert settings_of(me.id).theme == 'system'  # nothing written yet
    user.find(marker='import-confirm').click()
    await user.should_see('Imported 0 tasks and 1 new list, and set your preferences.')
    saved = settings_of(me.id)
    assert (saved.week_start, saved.theme) == ('sunday', 'dark')
    with session_scope() as s:
        work = [entry.id for entry in lists.list_lists(s, actor_id=me.id) if entry.name == 'Work']
    assert saved.default_list_id == work[0]
    # The page follows, as after a change in another tab.
    await eventually(lambda: field(user, 'theme').value == 'dark')
    await eventually(lambda: field(user, 'week-start').value == 'sunday')


async def test_a_bad_file_names_its_line_and_cannot_be_imported(user: User) -> None:
    me = await signed_in_person(user)
    await open_settings(user)
    await _upload(user, 'Bad.csv', (DATA / 'todoist-bad-priority.csv').read_bytes())
    await user.should_see(marker='import-errors', retries=100)
    await user.should_see('Line ', retries=10)
    assert not field(user, 'import-confirm').enabled
    assert stored_lists(me) == [('Inbox', 'grey')]


async def test_the_calendar_feed_is_turned_on_regenerated_and_turned_off(user: User) -> None:
    me = await signed_in_person(user)
    await open_settings(user)
    user.find(marker='feed-on').click()
    await user.should_see(marker='feed-url', retries=100)
    first = field(user, 'feed-url').value
    assert first.startswith('http://')
    assert first.endswith('.ics')
    assert '/cal/' in first
    user.find(marker='feed-regenerate').click()
    await user.should_see(marker='confirm', retries=50)
    user.find(marker='confirm').click()
    await eventually(lambda: field(user, 'feed-url').value != first)
    with session_scope() as s:
        token = calendar.feed_token(s, actor_id=me.id)
    assert field(user, 'feed-url').value.endswith(f'/cal/{token}.ics')
    user.find(marker='feed-disable').click()
    await user.should_see(marker='feed-off', retries=100)
    with session_scope() as s:
        assert calendar.feed_token(s, actor_id=me.id) is None


async def test_deleting_the_account_needs_the_phrase_and_password(user: User, create_user) -> None:  # type: ignore[no-untyped-def]
    me = await signed_in_person(user)
    other_tab = create_user()
    route_navigation(user, other_tab)
    await open_as(other_tab, me)
    await open_settings(user)
    user.find(marker='delete-account').click()
    await user.should_see(marker='delete-confirmation', retries=50)
    user.find(marker='delete-confirmation').type('delete it')
    user.find(marker='delete-password').type(PASSWORD)
    user.find(marker='delete-submit').click()
    await eventually(lambda: field(user, 'delete-confirmation').error is not None)
    user.find(marker='delete-confirmation').clear().type('delete my account')
    user.find(marker='delete-password').clear().type('wrong password')
    user.find(marker='delete-submit').click()
    await eventually(lambda: field(user, 'delete-password').error == account.WRONG_PASSWORD)
    assert field(user, 'delete-confirmation').value == 'delete my account'
    user.find(marker='delete-password').clear().type(PASSWORD)
    user.find(marker='delete-submit').click()
    await eventually(lambda: on_path(user, '/login'))
    await user.should_see('Your account and everything in it have been deleted.', retries=50)
    await eventually(lambda: on_path(other_tab, '/login'))
    with session_scope() as s:
        try:
            auth.authenticate(s, email=me.email, password=PASSWORD)
        except AuthFailed:
            pass
        else:
            raise AssertionError('the deleted account still signs in')
    with session_scope() as s:
        try:
            account.get_account(s, actor_id=me.id)
        except NotAuthenticated:
            pass
        else:
            raise AssertionError('the account is still there')


async def test_exports_download_with_the_browser_session_only(user: User) -> None:
    me = await signed_in_person(user)
    make_list(me, 'Work')
    task_in(me, 'Report, with a comma')
    response = await user.http_client.get('/settings/export/json')
    assert response.status_code == 200
    assert response.headers['content-type'] == 'application/json'
    assert response.headers['cache-control'] == 'no-store'
    assert response.headers['content-disposition'].startswith('attachment; filename="tasklight-')
    document = response.json()
    assert document['format'] == 'tasklight'
    assert [item['name'] for item in document['lists']] == ['Inbox', 'Work']
    assert [task['title'] for task in document['tasks']] == ['Report, with a comma']
    table = await user.http_client.get('/settings/export/csv')
    assert table.status_code == 200
    assert table.headers['content-type'] == 'text/csv; charset=utf-8'
    assert '"Report, with a comma"' in table.text
    other = await user.http_client.get('/settings/export/xml')
    assert (other.status_code, other.headers['location']) == (303, '/settings')
    user.http_client.cookies.clear()
    stranger = await user.http_client.get('/settings/export/json')
    assert stranger.status_code == 303
    assert stranger.headers['location'].startswith('/login?next=/settings/export/json')


async def test_a_file_that_is_no_import_at_all_says_so_where_it_was_dropped(user: User) -> None:
    me = await signed_in_person(user)
    await open_settings(user)
    await _upload(user, 'photo.csv', b'\xff\xd8\xff\xe0 not text at all \x00\x01')
    await user.should_see(marker='import-message', retries=100)
    assert not present(user, 'import-confirm')
    assert stored_lists(me) == [('Inbox', 'grey')]


async def test_a_chosen_time_zone_is_not_overwritten_by_the_browsers(user: User) -> None:
    asked: list[str] = []  # each dashboard asks the browser for its zone

    def dashboard_asks(_: object) -> str:
        asked.append('Europe/Berlin')
        return 'Europe/Berlin'

    user.javascript_rules[re.compile(r'.*__TIME_ZONE__')] = dashboard_asks
    user.javascript_rules[re.compile(r'^Intl\.DateTimeFormat')] = lambda _: 'Europe/Berlin'
    me = await signed_in_person(user)  # the first dashboard takes the browser's zone
    await eventually(lambda: settings_of(me.id).time_zone == 'Europe/Berlin')
    await open_settings(user)
    field(user, 'time-zone').set_value('Asia/Tokyo')
    await eventually(lambda: settings_of(me.id).time_zone == 'Asia/Tokyo')
    # "This browser is in Europe/Berlin. Use it" offers the way back.
    await eventually(lambda: field(user, 'use-browser-zone').visible)
    user.find(marker='use-browser-zone').click()
    await eventually(lambda: settings_of(me.id).time_zone == 'Europe/Berlin')
    field(user, 'time-zone').set_value('Asia/Tokyo')
    await eventually(lambda: settings_of(me.id).time_zone == 'Asia/Tokyo')
    await user.open('/tasks')
    await eventually(lambda: len(asked) == 2)  # this dashboard heard Europe/Berlin...
    await user.open('/tasks/today')  # (its follow-up, if any, runs before the next page's)
    await eventually(lambda: len(asked) == 3)
    await user.open('/settings')  # ...and left the choice alone
    await user.should_see(marker='time-zone', retries=50)
    assert field(user, 'time-zone').value == 'Asia/Tokyo'
    assert settings_of(me.id).time_zone == 'Asia/Tokyo'


async def test_an_api_token_made_here_works_once_listed_and_revocable(
    user: User, configure
) -> None:  # type: ignore[no-untyped-def]
    me = await signed_in_person(user)
    configure(
        PASSWORD_LOGIN='false',
        OIDC_ISSUER='https://id.example',
        OIDC_CLIENT_ID='t',
        OIDC_CLIENT_SECRET='s',
    )  # the way in for scripts when only single sign-on is
    await open_settings(user)
    user.find(marker='api-token-create').click()
    await user.should_see(marker='api-token')
    token = user.find(marker='api-token').elements.pop().value
    traded = await user.http_client.post('/api/auth/refresh', json={'refresh_token': token})
    assert traded.status_code == 200, traded.text
    access = traded.json()['access_token']
    mine = await user.http_client.get('/api/me', headers={'Authorization': f'Bearer {access}'})
    assert mine.json()['email'] == me.email
    again = await user.http_client.post('/api/auth/refresh', json={'refresh_token': token})
    assert again.status_code == 401  # each refresh token works once
    await user.should_see('API token (settings page)')
