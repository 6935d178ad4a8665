"""The page frame: theme, header with the signed-in person, and a centred content column."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from nicegui import Client, ui
from nicegui.elements.mixins.text_element import TextElement

from components.desktop import desktop_header

PRIMARY = '#4f46e5'
PRIMARY_DARK = '#a5b4fc'  # indigo 300
NEGATIVE_DARK = '#f87171'  # red 400: overdue dates stay readable on slate 900
POSITIVE_DARK = '#4ade80'  # green 400
# The page and the header (`tl-surface`), light and dark: the manifest and browser bars use them.
BACKGROUND, BACKGROUND_DARK = '#f8fafc', '#0f172a'
SURFACE, SURFACE_DARK = '#ffffff', '#1e293b'


# The person's theme setting as `ui.dark_mode` takes it: None follows the system.
DARK = {'system': None, 'light': False, 'dark': True}


def apply_theme(theme: str = 'system') -> ui.dark_mode:
    """Colours, and light or dark (or the system's) for the whole page. The frame's surfaces
    use the `tl-*` classes below, which follow Quasar's `body--dark`, instead of fixed ones."""
    ui.colors(
        primary=PRIMARY,
        secondary='#64748b',
        accent='#0ea5e9',
        positive='#15803d',  # green 700: 4.8:1 as text on the page's background
        dark='#1e293b',  # Quasar's dark cards, menus and dialogs: the frame's slate
        dark_page='#0f172a',
    )
    dark = ui.dark_mode(DARK.get(theme, False))
    ui.query('body').classes('tl-body')
    ui.add_css(
        f' body.tl-body {{ background: {BACKGROUND}; color: #1e293b; }}'
        f' body.body--dark.tl-body {{ background: {BACKGROUND_DARK}; color: #e2e8f0; }}'
        f' .tl-surface {{ background: {SURFACE}; color: #1e293b; border-color: #e2e8f0; }}'
        f' .body--dark .tl-surface {{ background: {SURFACE_DARK}; color: #e2e8f0;'
        ' border-color: #334155; }'
        ' .body--dark .text-slate-500, .body--dark .text-slate-600 { color: #94a3b8; }'
        ' .body--dark .text-slate-700, .body--dark .text-slate-800 { color: #cbd5e1; }'
        ' .body--dark .text-slate-400, .body--dark .text-slate-300 { color: #94a3b8; }'
        # Indigo 600 is 2.7:1 on a dark surface: a lighter indigo there (6.7:1 on slate 900),
        # with dark text on filled primary buttons (white on it would be 2.9:1).
        f' .body--dark {{ --q-primary: {PRIMARY_DARK} !important;'
        f' --q-negative: {NEGATIVE_DARK} !important; --q-positive: {POSITIVE_DARK} !important; }}'
        # In NiceGUI's `overrides` layer: an !important there beats Quasar's later layer.
        ' @layer overrides { .body--dark .bg-primary, .body--dark .bg-positive,'
        ' .body--dark .bg-negative, .body--dark .q-uploader__header'
        ' { color: #0f172a !important; } }'
        # Titles take their direction from their own text, as dir="auto" would: a Persian or
        # Hebrew title reads and aligns right to left in a left-to-right page.
        '.q-checkbox__label { overflow-wrap: anywhere; unicode-bidi: plaintext;'
        ' text-align: start; }'
        # Done titles and the meta line: slate 500 (4.6:1) in light, slate 400 in dark.
        ' .tl-done .q-checkbox__label { text-decoration: line-through; color: #64748b; }'
        ' .body--dark .tl-done .q-checkbox__label, .body--dark .tl-task::after { color: #94a3b8; }'
        ' .nicegui-card.tl-task { display: grid; grid-template-columns: minmax(0, 1fr) auto auto;'
        ' align-items: start; column-gap: 0.25rem; row-gap: 0.25rem; }'
        ' .tl-task > .tl-wide { grid-column: 1 / -1; }'
        ' .tl-task::after { content: attr(data-meta); grid-column: 1 / -1; padding-left: 2.5rem;'
        ' font-size: 0.75rem; line-height: 1rem; color: #64748b; }'
        ' .tl-active { background: color-mix(in srgb, var(--q-primary) 12%, transparent); }'
        ' .tl-drop-target { outline: 2px dashed var(--q-primary); outline-offset: -2px; }'
        ' .tl-skip { position: absolute; left: 0.5rem; top: -3rem; z-index: 9000;'
        ' padding: 0.5rem 1rem; border-radius: 0.375rem; background: var(--q-primary);'
        ' color: #fff; }'
        ' .tl-skip:focus { top: 0.5rem; }'
        ' @media (max-width: 639px) { .tl-sign-out .block { display: none; } }'
        # A focus ring, not Quasar's faint tint: the primary colour is 6:1 (light) and 9:1
        # (dark) against the page, over the 3:1 a focus indicator needs.
        # In the `overrides` layer, since Quasar's buttons carry `no-outline` (!important).
        ' @layer overrides { .q-btn:focus-visible, a:focus-visible, .q-item:focus-visible,'
        ' .q-checkbox:focus-visible, .q-toggle:focus-visible,'
        ' .q-uploader__header .q-btn:focus-within'
        ' { outline: 2px solid var(--q-primary) !important; outline-offset: 2px; } }'
        # Read by screen readers, not shown (the live region, the sidebar's "open" after a count).
        ' .tl-sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0;'
        ' margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }'
        ' .tl-anchor { display: contents; } .tl-anchor span:focus { outline: none; }'
        ' .tl-kbd { display: inline-block; min-width: 1.5em; padding: 0 0.35em;'
        ' border: 1px solid currentColor; border-radius: 0.25rem; text-align: center;'
        ' font-size: 0.8em; opacity: 0.85; }'
    )
    return dark


THEMES = (
    ('system', 'Match system', 'brightness_auto'),
    ('light', 'Light', 'light_mode'),
    ('dark', 'Dark', 'dark_mode'),
)


class ThemeToggle:
    """The header's theme button: a menu of Match system / Light / Dark. The choice shows at
    once and is handed to `on_change` to be kept on the account (False from it puts the old one
    back). `show` follows a change made elsewhere (the settings page, another tab)."""

    def __init__(
        self, dark: ui.dark_mode, theme: str, on_change: Callable[[str], Awaitable[bool]]
    ) -> None:
        self._dark = dark
        self._on_change = on_change
        self.theme = theme
        self.button = ui.button(icon='brightness_auto', on_click=self.open)
        self.button.props('flat round dense aria-haspopup=menu')
        self.button.classes('text-slate-600 shrink-0').mark('theme-button')
        self._items: dict[str, ui.menu_item] = {}
        self.menu: ui.menu | None = None  # built when first opened: most pages never open it
        self.show(theme)

    def open(self) -> None:
        if self.menu is None or self.menu.is_deleted:
            with self.button, ui.menu().props('no-parent-event') as self.menu:
                self.menu.props['aria-label'] = 'Theme'
                for value, label, icon in THEMES:
                    with ui.menu_item(on_click=lambda v=value: self.choose(v)) as item:
                        ui.icon(icon, size='20px').classes('mr-3')
                        ui.label(label)
                    item.props['role'] = 'menuitemradio'
                    self._items[value] = item.mark(f'theme-{value}')
            self._check_items()
        self.menu.open()

    def _check_items(self) -> None:
        for value, item in self._items.items():
            item.props['aria-checked'] = 'true' if value == self.theme else 'false'
            item.classes(replace='tl-active' if value == self.theme else '')

    def show(self, theme: str) -> None:
        names = {value: (label, icon) for value, label, icon in THEMES}
        label, icon = names.get(theme, names['system'])
        self.theme = theme if theme in names else 'system'
        self.button.props(f'icon={icon}')
        self.button.props['aria-label'] = f'Theme: {label}'
        self.button.props['title'] = f'Theme: {label}'
        self._check_items()
        self.button.update()
        self._dark.value = DARK.get(self.theme)

    async def choose(self, theme: str) -> None:
        before = self.theme
        if theme == before:
            return
        self.show(theme)
        if not await self._on_change(theme):
            self.show(before)


_toggles: weakref.WeakKeyDictionary[Client, ThemeToggle] = weakref.WeakKeyDictionary()


def frame_theme() -> ThemeToggle | None:
    """This page's theme menu, when its frame has one."""
    return _toggles.get(ui.context.client)


@contextmanager
def page_frame(
    *,
    email: str | None = None,
    on_sign_out: Callable[[], Awaitable[None]] | None = None,
    sidebar: Callable[[], None] | None = None,
    theme: str = 'light',
    admin: bool = False,
    on_shortcuts: Callable[[], Awaitable[None]] | None = None,
    on_theme: Callable[[str], Awaitable[bool]] | None = None,
) -> Iterator[ui.column]:
    """Header, an optional left drawer filled by `sidebar`, and the content column.

    The drawer stays open beside the content from 1024 px up; below that it is an overlay
    that the header's Menu button opens (Quasar's show-if-above opens it on wide screens).
    `theme` is the person's setting: 'system', 'light' or 'dark'; `admin` adds the Admin link
    (shown to admins only: for anyone else the page does not exist); `on_shortcuts` adds a
    Keyboard shortcuts button (the `?` key opens the same); `on_theme` adds the theme menu
    (see ThemeToggle; the page finds it as `frame_theme()` to follow changes made elsewhere)."""
    dark = apply_theme(theme)
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
        # On a phone the logo alone: the signed-in email needs the room.
        ui.label('Tasklight').classes('text-lg font-semibold tracking-tight max-sm:hidden')
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
        if on_theme is not None:
            _toggles[ui.context.client] = ThemeToggle(dark, theme, on_theme)
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
            # The word only from 640 px: on a phone the email needs the room (named either way).
            ui.button('Sign out', icon='logout', on_click=on_sign_out).props(
                'flat no-caps dense aria-label="Sign out" title="Sign out"'
            ).classes('text-slate-600 shrink-0 tl-sign-out')
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
            TextElement(tag='h1', text=title).classes('text-xl font-semibold m-0')
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
            ui.element('div').classes('w-full max-w-sm'),  # inside NiceGUI's own <main>
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
