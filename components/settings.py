"""Widgets of the settings page: its sections, password fields, the sessions list, the import
preview and the delete-account dialog. They take data and callbacks; the page calls services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement

from app.models import PASSWORD_MAX


@contextmanager
def section(title: str, hint: str, marker: str) -> Iterator[ui.card]:
    """A card with an <h2> heading: one area of the settings page (a landmark with that name)."""
    with ui.card().props('flat bordered').classes('w-full gap-3 p-4') as card:
        card.props(f'role=region aria-label="{title}"').mark(marker)
        TextElement(tag='h2', text=title).classes('text-lg font-semibold m-0')
        ui.label(hint).classes('text-sm text-slate-500 -mt-2')
        yield card


def password_input(label: str, marker: str, *, autocomplete: str) -> ui.input:
    return (
        ui.input(label, password=True, password_toggle_button=True)
        .props(f'outlined dense autocomplete={autocomplete} maxlength={PASSWORD_MAX}')
        .classes('w-full')
        .mark(marker)
    )


def form_error(marker: str) -> ui.label:
    """A form's own error line (for what belongs to no one field), hidden until needed."""
    label = ui.label().classes('w-full text-sm text-negative').props('role=alert').mark(marker)
    label.set_visibility(False)
    return label


def when(moment: datetime, zone: Any) -> str:
    """'12 Mar 2026, 14:05' in the person's zone."""
    local = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(zone)
    return f'{local.day} {local:%b %Y, %H:%M}'


def session_rows(
    sessions: Sequence[Any],
    *,
    zone: Any,
    on_sign_out: Callable[[Any], Awaitable[None]],
) -> None:
    """Each place the person is signed in, this device first and marked as such."""
    ordered = sorted(sessions, key=lambda entry: not entry.current)
    for entry in ordered:
        kind = 'API client' if entry.kind == 'api' else 'Browser'
        with (
            ui.row()
            .classes('w-full items-center no-wrap gap-3 py-2 border-b last:border-b-0')
            .mark(f'session-{entry.id}')
        ):
            icon = 'terminal' if entry.kind == 'api' else 'computer'
            ui.icon(icon, size='24px').classes('text-slate-500 shrink-0')
            with ui.column().classes('gap-0 min-w-0 flex-1'):
                with ui.row().classes('items-center gap-2'):
                    ui.label(entry.device).classes('font-medium truncate')
                    if entry.current:
                        ui.badge('This device', color='positive').mark('this-device')
                ui.label(f'{kind} · {entry.address}').classes('text-sm text-slate-500 truncate')
                ui.label(
                    f'Signed in {when(entry.created_at, zone)} · '
                    f'last active {when(entry.last_seen_at, zone)}'
                ).classes('text-xs text-slate-500')
            if not entry.current:
                button = ui.button('Sign out', on_click=lambda e=entry: on_sign_out(e)).props(
                    'flat dense no-caps color=negative'
                )
                button.props(f'aria-label="Sign out {entry.device}, {entry.address}"')
                button.mark(f'end-session-{entry.id}')


def import_preview(preview: Any) -> None:
    """What an import would create, its warnings and its errors (each naming its line)."""
    lists_text = f'{preview.lists} new list{"s" if preview.lists != 1 else ""}'
    tasks_text = f'{preview.tasks} task{"s" if preview.tasks != 1 else ""}'
    done = f', {preview.completed} of them completed' if preview.completed else ''
    ui.label(f'This file will add {tasks_text}{done} and {lists_text}.').classes(
        'font-medium'
    ).mark('import-summary')
    if preview.preferences:
        ui.label(f'It also sets {_preferences_text(preview.preferences)}.').classes('text-sm').mark(
            'import-preferences'
        )
    _problems('Errors', preview.errors, preview.error_count, 'import-errors', 'text-negative')
    _problems('Warnings', preview.warnings, preview.warning_count, 'import-warnings', '')


_PREFERENCE_WORDS = {
    'time_zone': 'your time zone to {}',
    'week_start': 'the week to start on {}',
    'theme': 'the theme to {}',
    'default_list': 'your default list to “{}”',
}


def _preferences_text(preferences: dict[str, str]) -> str:
    """`{'theme': 'dark', 'week_start': 'sunday'}` as “the theme to dark and the week to start
    on Sunday”: the settings an import replaces, in words."""
    parts = [
        _PREFERENCE_WORDS[name].format(value.capitalize() if name == 'week_start' else value)
        for name, value in preferences.items()
        if name in _PREFERENCE_WORDS
    ]
    if not parts:
        return 'your preferences'
    return ', '.join(parts[:-1]) + (' and ' if len(parts) > 1 else '') + parts[-1]


def _problems(title: str, shown: Sequence[str], count: int, marker: str, colour: str) -> None:
    if not count:
        return
    with ui.column().classes('w-full gap-1').mark(marker):
        ui.label(f'{title} ({count})').classes(f'text-sm font-semibold {colour}')
        with ui.element('ul').classes('list-disc pl-5 text-sm'):
            for text in shown:
                with ui.element('li'):
                    ui.label(text).classes(f'{colour} break-words')
        if count > len(shown):
            ui.label(f'… and {count - len(shown)} more.').classes('text-sm text-slate-500')


class DeleteAccountDialog:
    """Typed confirmation and password; stays open with the error next to its field."""

    def __init__(
        self,
        *,
        phrase: str,
        on_delete: Callable[[str, str], Awaitable[dict[str, str] | None]],
    ) -> None:
        self._on_delete = on_delete
        with ui.dialog() as self.dialog, ui.card().classes('w-full max-w-md gap-3'):
            self.dialog.props('aria-label="Delete account"')
            ui.label('Delete your account?').classes('text-lg font-semibold')
            ui.label(
                'Your lists, tasks, sessions and calendar feed are deleted at once and for good. '
                'Export your data first if you want to keep it.'
            ).classes('text-sm text-slate-600')
            self.confirmation = (
                ui.input(f'Type “{phrase}” to confirm')
                .props('outlined dense autocomplete=off autofocus maxlength=320')
                .classes('w-full')
                .mark('delete-confirmation')
            )
            self.password = password_input(
                'Your password', 'delete-password', autocomplete='current-password'
            )
            self.error = form_error('delete-error')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=self.dialog.close).props('flat no-caps')
                self.button = (
                    ui.button('Delete account', on_click=self.submit)
                    .props('unelevated no-caps color=negative')
                    .mark('delete-submit')
                )
            self.password.on('keydown.enter', self.submit)

    async def submit(self) -> None:
        for field in (self.confirmation, self.password):
            field.error = None
        self.error.set_visibility(False)
        self.button.disable()
        try:
            problems = await self._on_delete(
                self.confirmation.value or '', self.password.value or ''
            )
        finally:
            self.button.enable()
        if not problems:
            return
        fields = {'confirmation': self.confirmation, 'password': self.password}
        for name, message in problems.items():
            if name in fields:
                fields[name].error = message
            else:
                self.error.text = message
                self.error.set_visibility(True)
