"""/settings: your account, where you are signed in, preferences, your data (export and
import), the calendar feed, and deleting the account.

A `SettingsPage` is one open tab. Every action is a service call as the signed-in person (the
browser session is checked in the same unit of work); errors show next to their field and keep
what was typed. The tab leaves at once when its sign-in ends anywhere (a password change in
another tab, Sign out elsewhere, the account deleted)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Literal, TypeVar
from zoneinfo import available_timezones

from fastapi import Request
from fastapi.responses import RedirectResponse, StreamingResponse
from nicegui import Client, ElementFilter, app, background_tasks, run, ui
from nicegui.elements.mixins.text_element import TextElement
from nicegui.events import UploadEventArguments

from app.errors import AppError, Conflict, InvalidInput, NotAuthenticated, RateLimited
from app.models import LIST_NAME_MAX, PASSWORD_MIN, ListRead, SessionInfo
from components.frame import DARK, frame_theme, page_frame
from components.settings import (
    DeleteAccountDialog,
    form_error,
    import_preview,
    password_input,
    section,
    session_rows,
)
from components.task_list import confirm_dialog
from components.timefmt import wait_text
from pages.common import (
    COOKIE,
    client_address,
    leave_ended_session,
    show_error,
    sign_out_browser,
    signed_in,
    stream,
    to_login,
)
from pages.dashboard import Reloader
from services import account, auth, calendar, clock, lists, local, transfer, uow
from services.account import AccountRead, SessionRead
from services.events import session_ends, task_changes
from services.transfer import ImportPreview

R = TypeVar('R')
TIME_ZONE_JS = 'Intl.DateTimeFormat().resolvedOptions().timeZone'
SESSIONS_REFRESH_SECONDS = 30  # new sign-ins elsewhere show up within this; ends at once
WEEK_STARTS = {'monday': 'Monday', 'sunday': 'Sunday', 'saturday': 'Saturday'}
THEMES = {'system': 'Same as the system', 'light': 'Light', 'dark': 'Dark'}
INBOX = 0  # the default-list select's value for "the Inbox" (no default list)
EXPORTS = {'json': 'application/json', 'csv': 'text/csv; charset=utf-8'}


@dataclass
class Snapshot:
    """What the page shows, read in one unit of work."""

    account: AccountRead
    sessions: list[SessionRead]
    lists: list[ListRead]
    feed_token: str | None


def _read(session: Any, *, actor_id: uuid.UUID, current_session_id: uuid.UUID) -> Snapshot:
    return Snapshot(
        account=account.get_account(session, actor_id=actor_id),
        sessions=account.list_sessions(
            session, actor_id=actor_id, current_session_id=current_session_id
        ),
        lists=lists.list_lists(session, actor_id=actor_id),
        feed_token=calendar.feed_token(session, actor_id=actor_id),
    )


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    """Every IANA zone this machine knows, as the time-zone select offers them."""
    return tuple(sorted(available_timezones() | {'UTC'}))


# Quasar's uploader draws its pick button as a link (role=button) around a transparent file
# input that takes the clicks: two interactive controls in one, neither named. The input becomes
# the one control (named, in the tab order, its focus shown on the button) and the link a plain
# wrapper, again whenever Quasar redraws its header.
UPLOADER_NAMES_JS = """
const root = getHtmlElement(ID);
const fix = () => root?.querySelectorAll('.q-uploader__header .q-btn').forEach(button => {
    const input = button.querySelector('.q-uploader__input');
    if (!input || input.getAttribute('aria-label')) return;
    button.removeAttribute('role');
    button.removeAttribute('tabindex');
    input.setAttribute('tabindex', '0');
    input.setAttribute('aria-label', 'Choose a file to import');
});
fix();
if (root) new MutationObserver(fix).observe(root, {childList: true, subtree: true});
"""


class SettingsPage:
    """One tab's settings page for one signed-in person."""

    def __init__(self, *, info: SessionInfo, token: str, address: str, base_url: str) -> None:
        self.info = info
        self.token = token
        self.address = address  # for the password checks' per-address budget
        self.base_url = base_url.rstrip('/')
        self.user_id = info.user.id
        self.session_id = info.session_id
        self.client: Client = ui.context.client
        self.upload_data: bytes | None = None
        self.upload_name = ''
        self.watched: dict[uuid.UUID, Callable[[], None]] = {}  # other sessions' end feeds
        self.reloader = Reloader(self.client, self.refresh)
        self.deleting = False  # this tab deletes the account: it leaves saying so
        self.saving = 0  # preference saves under way
        self.saves = 0  # preference saves started, ever
        # One save at a time, in the order the person made the changes: two in worker threads
        # at once could commit out of order and leave the earlier choice stored.
        self.save_lock = asyncio.Lock()
        self.shown: dict[str, Any] = {}  # each preference as last shown or saved

    # ---------------------------------------------------------------- service calls

    async def as_person(self, fn: Callable[..., R], /, **kwargs: Any) -> R:
        outcome = await run.io_bound(uow.call_as_browser, self.token, fn, **kwargs)
        if outcome is None:  # NiceGUI is shutting down
            raise asyncio.CancelledError
        return outcome[1]

    async def act(self, fn: Callable[..., R], /, **kwargs: Any) -> tuple[bool, R | None]:
        """(succeeded, result); an ended session leaves, other errors show as a notification."""
        try:
            return True, await self.as_person(fn, **kwargs)
        except NotAuthenticated:
            self.leave()
        except AppError as error:
            with self.client:
                show_error(error)
        return False, None

    async def attempt(
        self, fn: Callable[..., R], /, fields: dict[str, ui.input], error: ui.label, **kwargs: Any
    ) -> tuple[bool, R | None]:
        """A form's call: problems go next to the field they name (else on the form's error
        line); what was typed stays."""
        for field in fields.values():
            field.error = None
        error.set_visibility(False)
        try:
            return True, await self.as_person(fn, **kwargs)
        except NotAuthenticated:
            self.leave()
            return False, None
        except InvalidInput as caught:
            target = fields.get(caught.field or '')
            message = caught.reason if target is not None else caught.message
        except Conflict as caught:
            target, message = fields.get('email'), caught.message
        except RateLimited as caught:
            target = None
            message = f'Too many attempts. Try again in {wait_text(caught.retry_after)}.'
        except AppError as caught:
            target, message = None, caught.message
        if target is not None:
            target.error = message
        else:
            error.text = message
            error.set_visibility(True)
        return False, None

    def leave(self, reason: str = 'expired') -> None:
        if self.deleting:  # the account is going: every refresh meanwhile finds it gone
            reason = 'deleted'
        if not self.client.is_deleted:
            with self.client:
                ui.navigate.to(f'/login?reason={reason}')

    # ---------------------------------------------------------------- building

    async def build(self) -> None:
        try:
            data = await self.as_person(_read, current_session_id=self.session_id)
        except NotAuthenticated:
            self.leave()
            return
        except AppError as error:
            show_error(error)
            return
        self.data = data
        self.zone = clock.zone(data.account.time_zone)
        with page_frame(
            email=data.account.email,
            on_sign_out=self.sign_out,
            theme=data.account.theme,
            admin=data.account.is_admin,
            on_theme=self.theme_from_header,
        ):
            self.dark = next(iter(ElementFilter(kind=ui.dark_mode)))  # the frame's
            self.toggle = frame_theme()
            self.dialogs = ui.element('div').classes('hidden')
            TextElement(tag='h1', text='Settings').classes(
                'text-2xl font-semibold tracking-tight m-0'
            )
            # The desktop's one local person has no password to change and no account to
            # delete (services/local.py): the rest applies as it does on a server.
            desktop = data.account.email == local.LOCAL_EMAIL
            if not desktop:
                self._account_section()
            self._sessions_section()
            self._preferences_section()
            self._data_section()
            self._calendar_section()
            if not desktop:
                self._api_section()
            if not desktop:
                self._delete_section()
        self.show_sessions(data.sessions)
        self._subscribe()
        background_tasks.create(self.ask_browser_zone(), name='tasklight zone', context=self.client)

    def _subscribe(self) -> None:
        def ended(_: uuid.UUID) -> None:
            """This sign-in ended elsewhere: leave at once, like the dashboard."""
            if not self.client.is_deleted and not self.deleting:
                with self.client:
                    leave_ended_session()

        self.client.on_delete(session_ends.subscribe(self.session_id, ended))
        # Settings changed in another tab (theme, zone, default list, email, lists): follow.
        self.client.on_delete(task_changes.subscribe(self.user_id, self.request_refresh))
        with self.client.layout:
            ui.timer(SESSIONS_REFRESH_SECONDS, self.refresh_sessions, immediate=False)

        def unwatch_all() -> None:
            for unsubscribe in self.watched.values():
                unsubscribe()
            self.watched.clear()

        self.client.on_delete(unwatch_all)

    # ---------------------------------------------------------------- account

    def _account_section(self) -> None:
        with section('Account', 'Your email and password.', 'account-section'):
            self.email = (
                ui.input('Email', value=self.data.account.email)
                .props('outlined dense type=email autocomplete=email maxlength=320')
                .classes('w-full')
                .mark('new-email')
            )
            self.email_password = password_input(
                'Your password', 'email-password', autocomplete='current-password'
            )
            self.email_error = form_error('email-error')
            self.email_button = (
                ui.button('Change email', on_click=self.change_email)
                .props('unelevated no-caps')
                .mark('change-email')
            )
            self.email_password.on('keydown.enter', self.change_email)
            ui.separator()
            self.current_password = password_input(
                'Current password', 'current-password', autocomplete='current-password'
            )
            self.new_password = password_input(
                'New password', 'new-password', autocomplete='new-password'
            )
            self.new_password.props(f'hint="At least {PASSWORD_MIN} characters"')
            self.confirm_password = password_input(
                'Confirm new password', 'confirm-password', autocomplete='new-password'
            )
            self.password_error = form_error('password-error')
            ui.label('Changing your password signs you out everywhere else.').classes(
                'text-sm text-slate-500'
            )
            self.password_button = (
                ui.button('Change password', on_click=self.change_password)
                .props('unelevated no-caps')
                .mark('change-password')
            )
            self.confirm_password.on('keydown.enter', self.change_password)

    async def change_email(self) -> None:
        fields = {'email': self.email, 'password': self.email_password}
        self.email_button.disable()
        try:
            ok, changed = await self.attempt(
                account.change_email,
                fields,
                self.email_error,
                password=self.email_password.value or '',
                new_email=self.email.value or '',
                address=self.address,
            )
        finally:
            self.email_button.enable()
        if not ok or changed is None:
            return
        auth.forget_cached_session(self.session_id)  # its cached copy carries the old email
        self.email_password.value = ''
        self.email.value = changed.email
        for label in ElementFilter(kind=ui.label, marker='user-email'):
            label.text = changed.email  # the header's
        ui.notify('Email changed.', type='positive', position='top')

    async def change_password(self) -> None:
        fields = {
            'current_password': self.current_password,
            'password': self.current_password,
            'new_password': self.new_password,
        }
        for field in fields.values():
            field.error = None
        self.confirm_password.error = None
        if (self.new_password.value or '') != (self.confirm_password.value or ''):
            self.confirm_password.error = 'The passwords do not match.'
            return
        self.password_button.disable()
        try:
            ok, _ = await self.attempt(
                account.change_password,
                fields,
                self.password_error,
                current_password=self.current_password.value or '',
                new_password=self.new_password.value or '',
                keep_session_id=self.session_id,
                address=self.address,
            )
        finally:
            self.password_button.enable()
        if not ok:
            return
        for field in (self.current_password, self.new_password, self.confirm_password):
            field.value = ''
        ui.notify(
            'Password changed. You are signed out everywhere else.',
            type='positive',
            position='top',
        )
        await self.refresh_sessions()

    # ---------------------------------------------------------------- sessions

    def _sessions_section(self) -> None:
        with section(
            "Where you're signed in",
            'Browsers and API clients signed in to your account. The address is the only '
            'place we know.',
            'sessions-section',
        ):
            self.sessions_box = ui.column().classes('w-full gap-0').mark('sessions')
            self.end_others = (
                ui.button('Sign out all other sessions', on_click=self.sign_out_others)
                .props('outline no-caps color=negative')
                .mark('end-other-sessions')
            )

    def show_sessions(self, sessions: list[SessionRead]) -> None:
        self.sessions_box.clear()
        with self.sessions_box:
            session_rows(sessions, zone=self.zone, on_sign_out=self.end_session)
        self.end_others.set_visibility(any(not entry.current for entry in sessions))
        self._watch({entry.id for entry in sessions if not entry.current})

    def _watch(self, ids: set[uuid.UUID]) -> None:
        """Follow each listed session's end (here or on any instance): its row goes at once."""
        for gone in set(self.watched) - ids:
            self.watched.pop(gone)()
        for session_id in ids - set(self.watched):
            self.watched[session_id] = session_ends.subscribe(session_id, self.request_refresh)

    def request_refresh(self, *_: Any) -> None:
        self.reloader.request()

    async def refresh(self) -> None:
        """Re-read everything (another tab changed something): sessions, lists, the feed,
        the theme. What is being typed in a form stays as it is."""
        # A save under way when the read starts, or one that starts meanwhile, may be missing
        # from what is read (it had not committed yet): its end reads again, and until then the
        # preferences stay as the person set them.
        saves, in_flight = self.saves, self.saving > 0
        ok, data = await self.act(_read, current_session_id=self.session_id)
        if not ok or data is None or self.client.is_deleted:
            return
        stale = in_flight or saves != self.saves
        if stale:
            data.account = self.data.account  # what the last save confirmed
        self.data = data
        with self.client:
            self.zone = clock.zone(data.account.time_zone)
            self.show_sessions(data.sessions)
            self._show_preferences(stale=stale)
            self._show_feed()

    async def refresh_sessions(self) -> None:
        ok, sessions = await self.act(account.list_sessions, current_session_id=self.session_id)
        if ok and sessions is not None and not self.client.is_deleted:
            with self.client:
                self.show_sessions(sessions)

    async def end_session(self, entry: SessionRead) -> None:
        ok, _ = await self.act(account.revoke_session, session_id=entry.id)
        if ok:
            with self.client:
                ui.notify(f'Signed out {entry.device}.', type='positive', position='top')
        await self.refresh_sessions()

    async def sign_out_others(self) -> None:
        ok, ended = await self.act(account.revoke_other_sessions, keep_session_id=self.session_id)
        if ok:
            with self.client:
                count = ended or 0
                ui.notify(
                    f'Signed out {count} other session{"s" if count != 1 else ""}.',
                    type='positive',
                    position='top',
                )
        await self.refresh_sessions()

    # ---------------------------------------------------------------- preferences

    def _preferences_section(self) -> None:
        settings = self.data.account
        self.shown = self._stored(settings)
        with section('Preferences', 'How dates, weeks and pages look for you.', 'preferences'):
            zones = list(_zones())
            self.time_zone = (
                ui.select(
                    zones,
                    label='Time zone',
                    value=settings.time_zone if settings.time_zone in zones else 'UTC',
                    with_input=True,
                    on_change=lambda e: self.save_setting('time_zone', e.value),
                )
                .props('outlined dense options-dense')
                .classes('w-full')
                .mark('time-zone')
            )
            with ui.row().classes('items-center gap-2 -mt-2'):
                self.browser_zone_label = ui.label().classes('text-sm text-slate-500')
                self.use_browser_zone = (
                    ui.button('Use it', on_click=self.adopt_browser_zone)
                    .props('flat dense no-caps color=primary')
                    .mark('use-browser-zone')
                )
                self.use_browser_zone.set_visibility(False)
            self.browser_zone: str | None = None
            self.week_start = (
                ui.select(
                    WEEK_STARTS,
                    label='Week starts on',
                    value=settings.week_start,
                    on_change=lambda e: self.save_setting('week_start', e.value),
                )
                .props('outlined dense')
                .classes('w-full')
                .mark('week-start')
            )
            self.theme = (
                ui.select(
                    THEMES,
                    label='Theme',
                    value=settings.theme,
                    on_change=lambda e: self.save_setting('theme', e.value),
                )
                .props('outlined dense')
                .classes('w-full')
                .mark('theme')
            )
            self.default_list = (
                ui.select(
                    self._list_options(),
                    label='New tasks from Today and Upcoming go to',
                    value=settings.default_list_id or INBOX,
                    on_change=lambda e: self.save_setting('default_list_id', e.value),
                )
                .props('outlined dense')
                .classes('w-full')
                .mark('default-list')
            )
        for control, name in (
            (self.time_zone, 'Time zone'),
            (self.week_start, 'Week starts on'),
            (self.theme, 'Theme'),
            (self.default_list, 'Default list'),
        ):
            control.props(f'aria-label="{name}"')

    def _list_options(self) -> dict[int, str]:
        return {(INBOX if entry.is_inbox else entry.id): entry.name for entry in self.data.lists}

    def _stored(self, settings: AccountRead) -> dict[str, Any]:
        """Each preference as its control holds it."""
        return {
            'time_zone': settings.time_zone,
            'week_start': settings.week_start,
            'theme': settings.theme,
            'default_list_id': settings.default_list_id or INBOX,
        }

    def _show_preferences(self, *, stale: bool = False) -> None:
        """Show what is stored now, without saving it back: the change handlers skip a value
        that is what was last shown or saved. While a save is under way the controls stay as
        the person set them; its end reads again."""
        settings = self.data.account
        self.default_list.set_options(self._list_options())
        if not self.saving and not stale:
            controls = {
                'time_zone': self.time_zone,
                'week_start': self.week_start,
                'theme': self.theme,
                'default_list_id': self.default_list,
            }
            for name, value in self._stored(settings).items():
                self.shown[name] = value
                if controls[name].value != value:
                    controls[name].set_value(value)
        self._show_theme(settings.theme)
        email = getattr(self, 'email', None)
        if email is not None and email.value == self.info.user.email:  # not being edited
            email.value = settings.email
        self._show_browser_zone()

    def _show_theme(self, theme: str) -> None:
        self.dark.value = DARK.get(theme)
        if self.toggle is not None and self.toggle.theme != theme:
            self.toggle.show(theme)

    async def theme_from_header(self, theme: str) -> bool:
        """The header's theme menu here is the Theme control below, saved the same way."""
        self.theme.set_value(theme)
        return True

    def save_setting(self, name: str, value: Any) -> None:
        """Save one preference as its control changed (not when a refresh showed it).

        Synchronous up to here, so the change counts as under way the moment it is made: a
        refresh that arrives before the save has started must not put the old value back."""
        if value == self.shown.get(name) or (name == 'time_zone' and not value):
            return
        self.shown[name] = value
        self.saving += 1
        self.saves += 1
        background_tasks.create(
            self._save_setting(name, value), name='tasklight setting', context=self.client
        )

    async def _save_setting(self, name: str, value: Any) -> None:
        try:
            async with self.save_lock:
                ok, saved = await self.act(
                    account.update_settings,
                    **{name: (value or None) if name == 'default_list_id' else value},
                )
        finally:
            self.saving -= 1
        if not self.saving:
            self.request_refresh()  # show what is stored now (or put a refused value back)
        if not ok or saved is None:
            return
        auth.forget_cached_session(self.session_id)  # the cached copy carries the old zone
        self.shown[name] = self._stored(saved)[name]
        self.data.account = saved
        with self.client:
            if name == 'theme':
                self._show_theme(saved.theme)
            if name == 'time_zone':
                self.zone = clock.zone(saved.time_zone)
                self._show_browser_zone()
            ui.notify('Saved.', type='positive', position='bottom', timeout=1500)

    async def ask_browser_zone(self) -> None:
        try:
            # Connected first: a question sent before the connection is up may be answered
            # before NiceGUI starts waiting for the answer, and that answer is dropped. A slow
            # connection gets its own, longer wait.
            await self.client.connected(timeout=30)
            reported = await self.client.run_javascript(TIME_ZONE_JS, timeout=5)
        except TimeoutError:
            return
        if isinstance(reported, str) and reported in _zones():
            self.browser_zone = reported
            with self.client:
                self._show_browser_zone()

    def _show_browser_zone(self) -> None:
        other = self.browser_zone and self.browser_zone != self.data.account.time_zone
        self.browser_zone_label.text = f'This browser is in {self.browser_zone}.' if other else ''
        self.use_browser_zone.set_visibility(bool(other))
        self.use_browser_zone.props(f'aria-label="Use {self.browser_zone}"')

    async def adopt_browser_zone(self) -> None:
        if self.browser_zone:
            self.time_zone.set_value(self.browser_zone)  # its change handler saves it

    # ---------------------------------------------------------------- your data

    def _data_section(self) -> None:
        with section(
            'Your data',
            'Take your lists and tasks with you, or bring them in from Tasklight, Todoist or '
            'a spreadsheet.',
            'data-section',
        ):
            with ui.row().classes('gap-2'):
                for kind, label in (('json', 'Export JSON'), ('csv', 'Export CSV')):
                    link = ui.button(label, icon='download').props(
                        f'outline no-caps href=/settings/export/{kind} download'
                    )
                    link.props(f'aria-label="{label}"').mark(f'export-{kind}')
            ui.label(
                'JSON keeps everything and imports back exactly; CSV is for spreadsheets.'
            ).classes('text-xs text-slate-500')
            limit_mib = transfer.MAX_IMPORT_BYTES // (1024 * 1024)
            ui.label(
                f'Import Tasklight JSON, a Todoist CSV export (the file name becomes the list), '
                f'or a CSV with a title column; up to {limit_mib} MiB. You see what it adds '
                'before anything is imported.'
            ).classes('text-sm text-slate-500')
            self.upload = (
                ui.upload(
                    label='Drop a file to import',
                    auto_upload=True,
                    max_file_size=transfer.MAX_IMPORT_BYTES,
                    on_upload=self.received,
                    on_rejected=self.rejected,
                )
                .props('accept=".json,.csv,application/json,text/csv" flat bordered')
                .classes('w-full')
                .mark('import-upload')
            )
            self.upload.props('aria-label="Import a file"')
            ui.run_javascript(UPLOADER_NAMES_JS.replace('ID', str(self.upload.id)))
            self.import_box = ui.column().classes('w-full gap-2').mark('import-box')

    async def rejected(self) -> None:
        limit_mib = transfer.MAX_IMPORT_BYTES // (1024 * 1024)
        self._import_message(f'That file is too large: at most {limit_mib} MiB.', 'error')

    async def received(self, event: UploadEventArguments) -> None:
        file = event.file
        if file.size() > transfer.MAX_IMPORT_BYTES:
            await self.rejected()
            return
        data = await file.read()
        name = PurePath(file.name or '').stem.strip()[:LIST_NAME_MAX] or None
        self.upload_data, self.upload_name = data, name or ''
        self.upload.reset()
        try:
            preview = await self.as_person(transfer.preview_import, data=data, list_name=name)
        except NotAuthenticated:
            self.leave()
            return
        except AppError as error:  # not a file we can read at all: say so where it was dropped
            self.upload_data = None
            self._import_message(error.message, 'error')
            return
        self.import_box.clear()
        with self.import_box:
            ui.label(f'“{file.name}”').classes('text-sm text-slate-500 break-all')
            import_preview(preview)
            with ui.row().classes('gap-2'):
                go = (
                    ui.button('Import', on_click=self.do_import)
                    .props('unelevated no-caps')
                    .mark('import-confirm')
                )
                adds = preview.tasks + preview.lists > 0 or bool(preview.preferences)
                go.set_enabled(not preview.error_count and adds)
                ui.button('Cancel', on_click=self.cancel_import).props('flat no-caps').mark(
                    'import-cancel'
                )

    def cancel_import(self) -> None:
        self.upload_data = None
        self.import_box.clear()

    async def do_import(self) -> None:
        data = self.upload_data
        if data is None:
            return
        ok, done = await self.act(
            transfer.import_data, data=data, list_name=self.upload_name or None
        )
        if not ok or done is None:
            return
        self.upload_data = None
        self._imported(done)

    def _imported(self, done: ImportPreview) -> None:
        tasks_text = f'{done.tasks} task{"s" if done.tasks != 1 else ""}'
        lists_text = f'{done.lists} new list{"s" if done.lists != 1 else ""}'
        with self.client:
            self.import_box.clear()
            with self.import_box, ui.row().classes('items-center gap-2').mark('import-done'):
                ui.icon('check_circle', color='positive')
                also = ', and set your preferences' if done.preferences else ''
                ui.label(f'Imported {tasks_text} and {lists_text}{also}.').props('role=status')
                ui.link('Open your lists', '/tasks').classes('text-primary').mark(
                    'import-open-lists'
                )

    def _import_message(self, text: str, kind: Literal['error', 'info']) -> None:
        self.import_box.clear()
        with self.import_box:
            colour = 'text-negative' if kind == 'error' else ''
            ui.label(text).classes(f'text-sm {colour}').props('role=alert').mark('import-message')

    # ---------------------------------------------------------------- calendar feed

    def _calendar_section(self) -> None:
        with section(
            'Calendar feed',
            'Your open tasks with due dates, in Google Calendar, Outlook or Thunderbird. The '
            'address is private: anyone who has it sees those tasks.',
            'calendar-section',
        ):
            self.feed_box = ui.column().classes('w-full gap-2')
        self._show_feed()

    def _feed_url(self) -> str | None:
        token = self.data.feed_token
        return None if token is None else f'{self.base_url}/cal/{token}.ics'

    def _show_feed(self) -> None:
        url = self._feed_url()
        self.feed_box.clear()
        with self.feed_box:
            if url is None:
                ui.label('No calendar feed.').classes('text-sm').mark('feed-off')
                ui.button('Turn on', icon='event', on_click=self.regenerate_feed).props(
                    'unelevated no-caps'
                ).mark('feed-on')
                return
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                field = (
                    ui.input('Feed address', value=url)
                    .props('outlined dense readonly')
                    .classes('flex-1 min-w-0')
                    .mark('feed-url')
                )
                field.props('aria-label="Calendar feed address"')
                ui.button(icon='content_copy', on_click=lambda: self.copy(url)).props(
                    'flat round dense aria-label="Copy the feed address"'
                ).mark('feed-copy')
            with ui.row().classes('gap-2'):
                ui.button('Regenerate', on_click=self.confirm_regenerate).props(
                    'outline no-caps'
                ).mark('feed-regenerate')
                ui.button('Turn off', on_click=self.disable_feed).props(
                    'flat no-caps color=negative'
                ).mark('feed-disable')

    def copy(self, url: str) -> None:
        ui.clipboard.write(url)
        ui.notify('Copied.', position='bottom', timeout=1500)

    async def confirm_regenerate(self) -> None:
        with self.dialogs:
            dialog = confirm_dialog(
                title='Make a new feed address?',
                message='The current address stops working at once: calendars subscribed to '
                'it need the new one.',
                confirm='Regenerate',
            )
        confirmed = await dialog
        dialog.delete()
        if confirmed:
            await self.regenerate_feed()

    async def regenerate_feed(self) -> None:
        ok, token = await self.act(calendar.regenerate_feed)
        if ok:
            self.data.feed_token = token
            with self.client:
                self._show_feed()

    async def disable_feed(self) -> None:
        ok, _ = await self.act(calendar.disable_feed)
        if ok:
            self.data.feed_token = None
            with self.client:
                self._show_feed()
                ui.notify('Calendar feed turned off.', position='top')

    def _api_section(self) -> None:
        with section(
            'API access',
            'A token for scripts and other clients of the REST API (see /docs). It is shown '
            'once; it appears under "Where you\'re signed in", where you can end it.',
            'api-section',
        ):
            self.api_box = ui.column().classes('w-full gap-2')
            with self.api_box:
                ui.button('Create a token', icon='key', on_click=self.create_api_token).props(
                    'outline no-caps'
                ).mark('api-token-create')

    async def create_api_token(self) -> None:
        ok, token = await self.act(account.create_api_token, address=self.address)
        if not ok or token is None:
            return
        with self.client:
            self.api_box.clear()
            with self.api_box:
                with ui.row().classes('w-full items-center no-wrap gap-2'):
                    field = (
                        ui.input('Refresh token', value=token)
                        .props('outlined dense readonly')
                        .classes('flex-1 min-w-0')
                        .mark('api-token')
                    )
                    field.props('aria-label="New API refresh token"')
                    ui.button(icon='content_copy', on_click=lambda: self.copy(token)).props(
                        'flat round dense aria-label="Copy the token"'
                    ).mark('api-token-copy')
                ui.label(
                    'Copy it now: it is not shown again. Trade it at POST /api/auth/refresh '
                    '{"refresh_token": "…"} for an access token and a new refresh token (each '
                    'refresh token works once; keep the newest).'
                ).classes('text-sm opacity-80')
            self.request_refresh()

    # ---------------------------------------------------------------- delete, sign out

    def _delete_section(self) -> None:
        with section(
            'Delete account',
            'Removes you and everything you own, everywhere, at once.',
            'delete-section',
        ):
            ui.button('Delete account…', on_click=self.open_delete).props(
                'outline no-caps color=negative'
            ).mark('delete-account')

    def open_delete(self) -> None:
        with self.dialogs:
            self.delete_dialog = DeleteAccountDialog(
                phrase=account.DELETE_CONFIRMATION, on_delete=self.delete_account
            )
        self.delete_dialog.dialog.on('hide', self.delete_dialog.dialog.delete)
        self.delete_dialog.dialog.open()

    async def delete_account(self, confirmation: str, password: str) -> dict[str, str] | None:
        """None when the account is gone (this tab leaves); otherwise the problems by field."""
        self.deleting = True  # its sign-in ends too: leave saying why, not just "signed out"
        try:
            await self.as_person(
                account.delete_account,
                password=password,
                confirmation=confirmation,
                address=self.address,
            )
        except NotAuthenticated:
            self.leave()
            return None
        except AppError as caught:
            self.deleting = False
            return _problems_of(caught)
        self.leave('deleted')
        return None

    async def sign_out(self) -> None:
        try:
            await self.as_person(auth.revoke_session, session_id=self.session_id)
        except NotAuthenticated:
            pass  # already ended: leaving is all that is left to do
        except AppError as error:
            show_error(error)
            return
        sign_out_browser()


def _problems_of(error: AppError) -> dict[str, str]:
    if isinstance(error, InvalidInput) and error.field in ('password', 'confirmation'):
        return {error.field: error.reason}
    if isinstance(error, RateLimited):
        return {'': f'Too many attempts. Try again in {wait_text(error.retry_after)}.'}
    return {'': error.message}


@ui.page('/settings', title='Settings · Tasklight')
async def settings_page(request: Request) -> RedirectResponse | None:
    info = await signed_in(request)
    if info is None:
        return to_login(request)
    page = SettingsPage(
        info=info,
        token=request.cookies[COOKIE],
        address=client_address(request),
        base_url=str(request.base_url),
    )
    await page.build()
    return None


@app.get('/settings/export/{kind}', include_in_schema=False, response_model=None)
async def export_download(request: Request, kind: str) -> RedirectResponse | StreamingResponse:
    """The settings page's Export links: the browser session (its cookie, checked as every page
    checks it) downloads its person's data, streamed in one consistent read."""
    if kind not in EXPORTS:
        return RedirectResponse('/settings', status_code=303)
    info = await signed_in(request)
    if info is None:
        return to_login(request)
    produce = transfer.export_json if kind == 'json' else transfer.export_csv
    stamp = datetime.now(UTC).strftime('%Y-%m-%d')
    return StreamingResponse(
        stream(produce, actor_id=info.user.id),
        media_type=EXPORTS[kind],
        headers={
            'Content-Disposition': f'attachment; filename="tasklight-{stamp}.{kind}"',
            'Cache-Control': 'no-store',
        },
    )
