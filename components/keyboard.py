"""Keyboard shortcuts (shown by `?`) and the focus keeper, for the dashboard.

The keys are handled in the browser (assets/keys.js): moving between tasks, completing, editing,
deleting, going to a view and keeping focus on the same task across live refreshes cost no
round trip. What needs the server arrives as one `tl_key` event: `today` and `p1`…`p4` for a
task, `help` for the shortcuts dialog. Shortcuts never fire while typing in a field or while a
dialog or menu is open.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from nicegui import app, ui
from nicegui.elements.mixins.text_element import TextElement
from nicegui.events import GenericEventArguments

_SOURCE = Path(__file__).parent / 'assets' / 'keys.js'
_DIGEST = hashlib.sha256(_SOURCE.read_bytes()).hexdigest()[:12]
# Named by its content: cached for a year, and a changed file is a new name.
SCRIPT_URL = app.add_static_file(
    local_file=_SOURCE, url_path=f'/assets/keys.{_DIGEST}.js', max_cache_age=31_536_000
)

# (keys, what they do): the dialog, docs/keyboard.md and the tests read this one table.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ('q or n', 'New task'),
    ('/', 'Search'),
    ('j or ↓', 'Next task'),
    ('k or ↑', 'Previous task'),
    ('Home / End', 'First / last task'),
    ('x or Space', 'Complete or reopen the task'),
    ('e or Enter', 'Edit the task'),
    ('# or Delete', 'Delete the task'),
    ('t', 'Due today'),
    ('1 2 3 4', 'Priority high, medium, low, none'),
    ('Alt+↑ / Alt+↓', 'Move the task up or down (in My order)'),
    ('g then i / t / u / c', 'Go to Inbox, Today, Upcoming, Completed'),
    ('g then a', 'Go to Assigned to me'),
    ('z', 'Undo what was just done'),
    ('Escape', 'Leave a field, close a dialog'),
    ('?', 'Show these shortcuts'),
)
# `1`…`4` as in Todoist: 1 is the highest.
PRIORITY_KEYS = {'p1': 3, 'p2': 2, 'p3': 1, 'p4': 0}
TASK_ACTIONS = frozenset({'today', *PRIORITY_KEYS})

KeyHandler = Callable[[str, int | None], Awaitable[None]]


def use_keyboard(on_key: KeyHandler) -> None:
    """Load the shortcuts into this page; `on_key(action, task_id)` gets the server's share."""
    ui.add_head_html(f'<script src="{SCRIPT_URL}" defer></script>')

    async def heard(event: GenericEventArguments) -> None:
        args = event.args
        if not isinstance(args, dict):
            return
        action, task_id = args.get('action'), args.get('id')
        if action == 'help':
            await on_key('help', None)
        elif action in TASK_ACTIONS and _whole(task_id):
            await on_key(action, task_id)

    ui.on('tl_key', heard)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def shortcuts_dialog() -> ui.dialog:
    """The `?` dialog: every shortcut, named for screen readers."""
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md gap-2'):
        dialog.props('aria-label="Keyboard shortcuts"')
        TextElement(tag='h2', text='Keyboard shortcuts').classes('text-lg font-semibold')
        with ui.element('dl').classes('w-full grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm'):
            for keys, what in SHORTCUTS:
                with ui.element('dt').classes('font-mono whitespace-nowrap'):
                    ui.html(_keys_html(keys), sanitize=False)
                TextElement(tag='dd', text=what).classes('m-0')
        with ui.row().classes('w-full justify-end'):
            ui.button('Close', on_click=dialog.close).props('flat no-caps').mark('shortcuts-close')
    dialog.mark('shortcuts')
    return dialog


def _keys_html(keys: str) -> str:
    words = keys.split(' ')
    joiners = {'or', 'then', '/'}
    return ' '.join(
        word if word in joiners else f'<kbd class="tl-kbd">{html.escape(word)}</kbd>'
        for word in words
    )
