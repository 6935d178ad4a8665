"""The desktop app's bits of UI: where its data lives (an About dialog), and window-fit styling."""

from __future__ import annotations

from nicegui import ui

from app import desktop
from app.config import APP_NAME, desktop_data_dir, get_settings


def add_desktop_css() -> None:
    """A window is not a browser tab: no scrollbar for a page that fits, no rubber-band bounce."""
    ui.add_css(
        'html, body { overscroll-behavior: none; }'
        # The sign-in card fills the screen height, and the page's padding overflowed it.
        ' .nicegui-content:has(> .min-h-screen) { padding: 0; }',
        shared=True,
    )


def desktop_header() -> bool:
    """In the desktop app: an About button in the header. True when the app has no accounts,
    so the header shows no email and no Sign out."""
    if desktop.current() is None:
        return False
    settings = get_settings()
    with ui.dialog() as dialog, ui.card().classes('max-w-md gap-2').mark('about'):
        dialog.props['aria-label'] = f'About {APP_NAME}'
        ui.label(APP_NAME).classes('text-lg font-semibold')
        ui.label('Your tasks are kept on this computer, in:').classes('text-sm')
        ui.label(str(settings.data_dir.resolve())).classes(
            'text-sm font-mono break-all select-all'
        ).mark('data-dir')
        ui.label(
            f'To keep them elsewhere, set DATA_DIR in {desktop_data_dir() / ".env"} '
            'or in the environment, then start the app again.'
        ).classes('text-xs text-slate-500')
        with ui.row().classes('w-full justify-end'):
            ui.button('Close', on_click=dialog.close).props('flat no-caps')
    button = ui.button(icon='info_outline', on_click=dialog.open).props('flat round dense')
    button.props['aria-label'] = f'About {APP_NAME}'
    button.classes('text-slate-600').mark('about-button')
    return not settings.desktop_accounts
