"""One polite live region per page: what screen readers hear after an action (added, completed,
deleted, moved), hidden by the frame's `tl-sr-only` class. It exists from the page's start, since
a region that appears together with its text is often not read out; repeating the same words
still announces them."""

from __future__ import annotations

import weakref

from nicegui import Client, context, ui

_regions: weakref.WeakKeyDictionary[Client, ui.label] = weakref.WeakKeyDictionary()


def live_region() -> ui.label:
    """This page's live region, made on first use (call it while building the page)."""
    client = context.client
    region = _regions.get(client)
    if region is None or region.is_deleted:
        with client.layout:
            region = ui.label('').classes('tl-sr-only').props('role=status aria-live=polite')
            region.props['aria-atomic'] = 'true'
            region.mark('announcement')
        _regions[client] = region
    return region


def announce(text: str) -> None:
    """Say `text` to screen readers on this page."""
    region = live_region()
    # A change of content is what a screen reader reads: the same words again get a trailing
    # no-break space, so that they are read again.
    region.text = text if region.text != text else text + '\u00a0'
