"""The page frame: theme, header with the signed-in person, and a centred content column."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement

from components.desktop import desktop_header

PRIMARY = '#4f46e5'
# The page and the header (`tl-surface`), light and dark: the manifest and browser bars use them.
BACKGROUND, BACKGROUND_DARK = '#f8fafc', '#0f172a'
SURFACE, SURFACE_DARK = '#ffffff', '#1e293b'


# The person's theme setting as `ui.dark_mode` takes it: None follows the system.
DARK = {'system': None, 'light': False, 'dark': True}


def apply_theme(theme: str = 'light') -> None:
    """Colours, and light or dark (or the system's) for the whole page. The frame's surfaces
    use the `tl-*` classes below, which follow Quasar's `body--dark`, instead of fixed ones."""
    ui.colors(primary=PRIMARY, secondary='#64748b', accent='#0ea5e9', positive='#16a34a')
    ui.dark_mode(DARK.get(theme, False))
    ui.query('body').classes('tl-body')
    ui.add_css(
        f' body.tl-body {{ background: {BACKGROUND}; color: #1e293b; }}'
        f' body.body--dark.tl-body {{ background: {BACKGROUND_DARK}; color: #e2e8f0; }}'
        f' .tl-surface {{ background: {SURFACE}; color: #1e293b; border-color: #e2e8f0; }}'
        f' .body--dark .tl-surface {{ background: {SURFACE_DARK}; color: #e2e8f0;'
        ' border-color: #334155; }'
        ' .body--dark .text-slate-500, .body--dark .text-slate-600 { color: #94a3b8; }'
        ' .body--dark .text-slate-700, .body--dark .text-slate-800 { color: #cbd5e1; }'
        ' .body--dark .text-slate-400, .body--dark .text-slate-300 { color: #64748b; }'
        '.q-checkbox__label { overflow-wrap: anywhere; }'
        ' .tl-done .q-checkbox__label { text-decoration: line-through; color: #94a3b8; }'
        ' .nicegui-card.tl-task { display: grid; grid-template-columns: minmax(0, 1fr) auto auto;'
        ' align-items: start; column-gap: 0.25rem; row-gap: 0.25rem; }'
        ' .tl-task > .tl-wide { grid-column: 1 / -1; }'
        ' .tl-task::after { content: attr(data-meta); grid-column: 1 / -1; padding-left: 2.5rem;'
        ' font-size: 0.75rem; line-height: 1rem; color: #94a3b8; }'
        ' .tl-active { background: color-mix(in srgb, var(--q-primary) 12%, transparent); }'
        ' .tl-drop-target { outline: 2px dashed var(--q-primary); outline-offset: -2px; }'
        ' .tl-skip { position: absolute; left: 0.5rem; top: -3rem; z-index: 9000;'
        ' padding: 0.5rem 1rem; border-radius: 0.375rem; background: var(--q-primary);'
        ' color: #fff; }'
        ' .tl-skip:focus { top: 0.5rem; }'
        ' .tl-anchor { display: contents; } .tl-anchor span:focus { outline: none; }'
        ' .tl-kbd { display: inline-block; min-width: 1.5em; padding: 0 0.35em;'
        ' border: 1px solid currentColor; border-radius: 0.25rem; text-align: center;'
        ' font-size: 0.8em; opacity: 0.85; }'
    )


@contextmanager
def page_frame(
    *,
    email: str | None = None,
    on_sign_out: Callable[[], Awaitable[None]] | None = None,
    sidebar: Callable[[], None] | None = None,
    theme: str = 'light',
    admin: bool = False,
    on_shortcuts: Callable[[], Awaitable[None]] | None = None,
) -> Iterator[ui.column]:
    """Header, an optional left drawer filled by `sidebar`, and the content column.

    The drawer stays open beside the content from 1024 px up; below that it is an overlay
    that the header's Menu button opens (Quasar's show-if-above opens it on wide screens).
    `theme` is the person's setting: 'system', 'light' or 'dark'; `admin` adds the Admin link
    (shown to admins only: for anyone else the page does not exist); `on_shortcuts` adds a
    Keyboard shortcuts button (the `?` key opens the same)."""
    apply_theme(theme)
    drawer: ui.left_drawer | None = None
    width = 'max-w-5xl' if sidebar is not None else 'max-w-3xl'
    header = ui.header().classes('tl-surface border-b px-0')
    with header:
        # The first Tab stop of the page: past the header and the lists, to the content.
        ui.html('<a class="tl-skip" href="#content">Skip to content</a>', sanitize=False)
    with header, ui.row().classes(f'w-full {width} mx-auto items-center no-wrap gap-2 px-4 py-2'):
        if sidebar is not None:
            menu = ui.button(icon='menu', on_click=lambda: drawer.toggle() if drawer else None)
            menu.props('flat round dense aria-label=Menu').classes('lg:hidden text-slate-600')
            menu.mark('menu')
        ui.icon('task_alt', size='28px').classes('text-primary')
        ui.label('Tasklight').classes('text-lg font-semibold tracking-tight')
        ui.space()
        if desktop_header():  # the desktop app's About button; with one local person, no account
            email = None
        if email is not None:
            ui.label(email).classes('text-sm text-slate-500 truncate min-w-0 max-w-[45vw]').mark(
                'user-email'
            )
        if on_shortcuts is not None:
            ui.button(icon='keyboard', on_click=on_shortcuts).props(
                'flat round dense aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"'
                ' aria-keyshortcuts="?"'
            ).classes('text-slate-600 shrink-0 max-sm:hidden').mark('shortcuts-link')
        if admin and email is not None:
            ui.button(icon='admin_panel_settings').props(
                'flat round dense href=/admin aria-label=Admin title=Admin'
            ).classes('text-slate-600 shrink-0').mark('admin-link')
        if on_sign_out is not None:
            # A link (an <a>), so it opens in a new tab like any other; named for screen readers.
            ui.button(icon='settings').props(
                'flat round dense href=/settings aria-label=Settings title=Settings'
            ).classes('text-slate-600 shrink-0').mark('settings-link')
        if email is not None:
            ui.button('Sign out', icon='logout', on_click=on_sign_out).props(
                'flat no-caps dense'
            ).classes('text-slate-600 shrink-0')
    if sidebar is not None:
        drawer = ui.left_drawer(value=False, bordered=True)
        drawer.props('show-if-above breakpoint=1024 width=260').classes('tl-surface p-0')
        drawer.props['aria-label'] = 'Lists'
        with drawer.mark('drawer'):
            sidebar()
    with ui.column().classes('w-full max-w-3xl mx-auto px-4 py-6 gap-4') as column:
        ui.html('<span id="content" tabindex="-1"></span>', sanitize=False).classes('tl-anchor')
        yield column


@contextmanager
def auth_card(title: str, subtitle: str) -> Iterator[ui.card]:
    """The centred card of the sign-in and sign-up pages."""
    apply_theme()
    with ui.column().classes('w-full min-h-screen items-center justify-center p-4'):
        with ui.row().classes('items-center gap-2 mb-2'):
            ui.icon('task_alt', size='36px').classes('text-primary')
            ui.label('Tasklight').classes('text-2xl font-semibold tracking-tight')
        with ui.card().classes('w-full max-w-sm p-6 gap-3').props('flat bordered') as card:
            ui.label(title).classes('text-xl font-semibold')
            ui.label(subtitle).classes('text-sm text-slate-500 -mt-2')
            yield card


def error_card(
    *, code: int, heading: str, explanation: str, link_text: str, target: str, theme: str
) -> None:
    """A page of its own for an error, in the sign-in pages' look: the one heading, why, and
    the way back. `theme` as in `page_frame` ('system' follows the device)."""
    apply_theme(theme)
    with ui.column().classes('w-full min-h-screen items-center justify-center p-4'):
        with ui.row().classes('items-center gap-2 mb-2'):
            ui.icon('task_alt', size='36px').classes('text-primary')
            ui.label('Tasklight').classes('text-2xl font-semibold tracking-tight')
        with (
            ui.element('main').classes('w-full max-w-sm'),
            ui.card().classes('w-full p-6 gap-3 tl-surface').props('flat bordered'),
        ):
            ui.label(f'Error {code}').classes('text-sm text-slate-500').mark('error-code')
            TextElement(tag='h1', text=heading).classes('text-xl font-semibold').mark('heading')
            ui.label(explanation).classes('text-sm text-slate-600')
            ui.button(link_text).props(f'unelevated no-caps color=primary href={target}').mark(
                'way-back'
            )


def banner(text: str, *, kind: str = 'info') -> ui.label:
    colours = {
        'info': 'bg-sky-50 text-sky-800 border-sky-200',
        'error': 'bg-red-50 text-red-700 border-red-200',
        'success': 'bg-green-50 text-green-800 border-green-200',
    }[kind]
    return ui.label(text).classes(f'w-full text-sm rounded border px-3 py-2 {colours}')


def error_banner() -> ui.label:
    """A form's error line, hidden until there is something to say."""
    error = banner('', kind='error').mark('error')
    error.set_visibility(False)
    return error


def email_input() -> ui.input:
    return (
        ui.input('Email')
        .props('outlined type=email autocomplete=username autofocus')
        .classes('w-full')
        .mark('email')
    )


def switch_link(question: str, text: str, target: str) -> None:
    """'New to Tasklight? Create an account' under the sign-in and sign-up forms."""
    with ui.row().classes('w-full justify-center gap-1 text-sm'):
        ui.label(question).classes('text-slate-500')
        ui.link(text, target).classes('text-primary')
