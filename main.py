"""Tasklight: `python main.py` serves the web UI and the REST API (SQLite in ./data by default)."""

from __future__ import annotations

import multiprocessing
import os

from app.config import get_settings

# The packaged desktop app starts its window process from its own binary: that copy must
# become the window here, before importing the rest of the app.
multiprocessing.freeze_support()

settings = get_settings()
# NiceGUI reads this at import time: keep its files beside the database, not in the checkout.
os.environ.setdefault('NICEGUI_STORAGE_PATH', str(settings.data_dir.resolve() / 'nicegui'))

from nicegui import app, ui  # noqa: E402
from starlette.middleware.gzip import GZipMiddleware  # noqa: E402

from app import db, web  # noqa: E402
from components import nicegui_tuning  # noqa: E402
from services import auth, events  # noqa: E402

nicegui_tuning.apply()
import pages  # noqa: E402, F401  (registers the pages)

web.configure(app)
app.on_startup(db.migrate)

if settings.sqlalchemy_url.startswith('postgresql'):
    # Several instances: each hears the others' changes and sign-outs (PostgreSQL LISTEN/NOTIFY).
    listener = events.CrossInstanceListener(
        settings.sqlalchemy_url, on_session_ended=auth.forget_cached_session
    )
    app.on_startup(listener.start)
    app.on_shutdown(listener.stop)

if settings.native:  # the desktop app (pages/desktop.py): free port, launch secret, one instance
    from pages.desktop import prepare

    prepare()

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(
        title='Tasklight',
        favicon='✅',
        host=settings.host,
        port=settings.port,
        native=settings.native,
        window_size=(1100, 800) if settings.native else None,
        reload=False,
        show=False,
        fastapi_docs=True,
        reconnect_timeout=10.0,
        proxy_headers=False,  # app.web adds the proxy-headers middleware with the trusted hosts
        server_header=False,
        # zlib's default level: as small for JSON and pages as Starlette's level 9, at half the CPU.
        gzip_middleware_factory=lambda app: GZipMiddleware(app, minimum_size=1000, compresslevel=6),
    )
