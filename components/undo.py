"""A short-lived notice at the bottom of the page with an Undo button.

Quasar's own notifications keep their buttons in the browser, out of the server's reach (and of
the simulated User's), so the notice is a small element of the page layout instead: one at a
time per tab (a newer action's notice replaces the older one, as in mail apps), gone by itself
after a few seconds, announced to screen readers (components.announce; `z` presses Undo), and
Undo runs at most once.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable

from nicegui import Client, context, ui

from components.announce import announce

_CSS = (
    '.tl-undo { position: fixed; left: 50%; bottom: 1.5rem; transform: translateX(-50%);'
    ' z-index: 7000; max-width: calc(100vw - 2rem); }'
)
SECONDS = 6.0  # how long a notice stays, unless the caller says otherwise
_shown: weakref.WeakKeyDictionary[Client, ui.element] = weakref.WeakKeyDictionary()
_styled: weakref.WeakSet[Client] = weakref.WeakSet()


def undo_notice(
    message: str, on_undo: Callable[[], Awaitable[None]], *, seconds: float | None = None
) -> None:
    """Say what just happened, with an Undo button that calls `on_undo` once, for `seconds`
    (`SECONDS` when not given)."""
    client = context.client
    if client not in _styled:
        ui.add_css(_CSS)
        _styled.add(client)
    previous = _shown.pop(client, None)
    if previous is not None and not previous.is_deleted:
        previous.delete()
    used = False

    def close() -> None:
        if not notice.is_deleted:
            notice.delete()
        if _shown.get(client) is notice:
            del _shown[client]

    async def undo() -> None:
        nonlocal used
        if used:
            return
        used = True
        close()
        await on_undo()

    with client.layout:
        notice = (
            ui.row()
            .classes(
                'tl-undo items-center no-wrap gap-3 rounded-lg shadow-lg px-4 py-2'
                ' bg-grey-9 text-white'
            )
            .mark('undo-notice')
        )
        # A landmark of its own (it floats outside the page's main content); what it says is
        # read out once through the page's live region below, not again here.
        notice.props['role'] = 'region'
        notice.props['aria-label'] = 'Undo'
        with notice:
            ui.label(message).classes('text-sm min-w-0 break-words')
            ui.button('Undo', on_click=undo).props(
                'flat dense no-caps color=amber-4 data-undo aria-keyshortcuts=z'
            ).mark('undo')
            ui.button(icon='close', on_click=close).props(
                'flat dense round size=sm color=grey-5 aria-label="Dismiss"'
            )
            ui.timer(SECONDS if seconds is None else seconds, close, once=True)
    _shown[client] = notice
    announce(f'{message}. Undo with z.')
