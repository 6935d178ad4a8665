"""The desktop app: its window's way in, the focus signal of a second launch, and the wiring
that turns `main.py` into a desktop app (`prepare`, called before `ui.run`).

See `app/desktop.py` for the launch secret and why it keeps other local users out.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from nicegui import app
from pydantic import BaseModel

from app import desktop
from app.config import APP_NAME, get_settings
from components.desktop import add_desktop_css
from pages.common import COOKIE
from services import local, uow

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
ICON = Path(__file__).resolve().parent.parent / 'packaging' / 'tasklight.png'


class FocusRequest(BaseModel):
    launch: str = ''


@router.get(desktop.OPEN_PATH)
def open_window(request: Request, launch: str = '') -> Response:
    """The window's first page: trade the launch secret for the launch cookie, and (with one
    local person) for that person's browser session."""
    current = desktop.current()
    if current is None:
        return Response(status_code=404)
    known = current.cookie_matches(request.cookies.get(desktop.LAUNCH_COOKIE))
    if not (current.secret_matches(launch) or known):
        return Response('Not this launch.\n', status_code=403, media_type='text/plain')
    settings = get_settings()
    response = RedirectResponse('/' if settings.desktop_accounts else '/tasks', status_code=303)
    response.set_cookie(
        desktop.LAUNCH_COOKIE, current.cookie, path='/', httponly=True, samesite='strict'
    )
    if not settings.desktop_accounts:
        token = uow.call(local.window_session_token, token=request.cookies.get(COOKIE))
        if token is not None:
            response.set_cookie(
                COOKIE,
                token,
                max_age=settings.browser_session_days * 86_400,
                path='/',
                httponly=True,
                samesite='lax',
            )
    return response


@router.post(desktop.FOCUS_PATH)
def focus_window(body: FocusRequest) -> Response:
    """A second launch of the same data folder: bring this window forward instead."""
    current = desktop.current()
    if current is None or not current.secret_matches(body.launch):
        return Response(status_code=403)
    _window.focus()
    return Response(status_code=204)


app.include_router(router)


class _Window:
    """The window's size, position and state, as its events report them."""

    def __init__(self) -> None:
        self.data_dir: Path | None = None
        self.state: dict[str, int] = {}
        self.maximized = False

    def on_event(self, kind: str, args: dict[str, Any]) -> None:
        if kind == 'resized' and not self.maximized:
            self.state.update(width=int(args['width']), height=int(args['height']))
        elif kind == 'moved' and not self.maximized:
            self.state.update(x=int(args['x']), y=int(args['y']))
        elif kind == 'maximized':
            self.maximized = True
        elif kind == 'restored':
            self.maximized = False

    def save(self) -> None:
        if self.data_dir is not None and self.state:
            try:
                desktop.save_window_state(self.data_dir, self.state)
            except OSError as error:
                log.warning('could not remember the window size: %s', error)

    def focus(self) -> None:
        window = app.native.main_window
        if window is None:
            return
        maximized = self.maximized
        window.restore()  # un-minimises, raises and activates
        if maximized:
            window.maximize()


_window = _Window()


def prepare(*, also_gate: Iterable[FastAPI] = ()) -> None:
    """Make this process the desktop app: one instance per data folder, a free loopback port,
    a launch secret only the window knows, the window's remembered place, and persistent
    webview storage in the data folder. Call it before `ui.run`. `also_gate`: the other
    applications this process serves (the API's, in front of NiceGUI's), behind the same gate."""
    if multiprocessing.current_process().name != 'MainProcess':
        _name_the_window_process()
        return
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    lock = desktop.InstanceLock(data_dir)
    if not lock.acquire():
        if desktop.ask_running_instance_to_focus(data_dir):
            print(f'{APP_NAME} is already open; its window was brought forward.')
            sys.exit(0)
        sys.exit(f'{APP_NAME} is already running for {data_dir} but does not answer.')

    if sys.platform == 'linux':
        if os.geteuid() == 0:
            # QtWebEngine's sandbox refuses to run as root; nothing else would show the window.
            os.environ.setdefault('QTWEBENGINE_DISABLE_SANDBOX', '1')
        # The window's X11 class names its taskbar entry (else "main.py"); the window process
        # inherits the environment.
        os.environ.setdefault('RESOURCE_NAME', APP_NAME.lower())
        if 'PYWEBVIEW_GUI' not in os.environ and importlib.util.find_spec('qtpy') is not None:
            app.native.start_args['gui'] = 'qt'  # else pywebview tries GTK first and logs why not

    launch = desktop.Launch.new()
    desktop.set_current(launch)
    settings.host = '127.0.0.1'
    settings.port = launch.port
    for gated in (app, *also_gate):
        gated.add_middleware(
            desktop.LaunchGate, launch=launch, no_accounts=not settings.desktop_accounts
        )

    place = desktop.load_window_state(data_dir)
    _window.data_dir = data_dir
    _window.state = dict(place)
    app.native.window_args.update(
        url=launch.url,
        title=APP_NAME,
        resizable=True,
        min_size=(desktop.MIN_WIDTH, desktop.MIN_HEIGHT),
        **place,
    )
    app.native.start_args.update(
        debug=False,
        private_mode=False,  # keep cookies: the window stays signed in between launches
        storage_path=str(data_dir / 'webview'),
    )
    if ICON.exists():
        app.native.start_args['icon'] = str(ICON)
    for kind in ('resized', 'moved', 'maximized', 'restored'):
        app.native.on(kind, lambda event, kind=kind: _window.on_event(kind, event.args))

    def started() -> None:
        desktop.publish_instance(data_dir, launch)
        log.info('%s keeps its data in %s', APP_NAME, data_dir)

    def stopped() -> None:
        _window.save()
        desktop.withdraw_instance(data_dir)
        lock.release()

    app.on_startup(started)
    app.on_shutdown(stopped)
    add_desktop_css()


def _name_the_window_process() -> None:
    """In the window process (which re-imports main.py when not packaged): Qt takes the window's
    class name, shown in taskbars, from the application name, else from argv[0] ("main.py")."""
    if importlib.util.find_spec('qtpy') is None:
        return
    try:
        from qtpy.QtCore import QCoreApplication
    except Exception:  # no usable Qt binding: pywebview picks another backend
        return
    QCoreApplication.setApplicationName(APP_NAME)
