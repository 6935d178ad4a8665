"""Tasklight: `python main.py` serves the web UI and the REST API (SQLite in ./data by default)."""

from __future__ import annotations

import multiprocessing
import os

from app import serving, startup

# The packaged desktop app starts its window process from its own binary: that copy must
# become the window here, before anything else runs.
multiprocessing.freeze_support()

settings = startup.load_settings()  # a bad value: one line naming it, exit 2
SERVING = __name__ == '__main__' and 'NICEGUI_USER_SIMULATION' not in os.environ
if SERVING:
    serving.exit_quietly_on_signals()  # Ctrl+C and SIGTERM: exit 0, no traceback, from here on
    # Before anything else touches DATA_DIR or the database: say why not to start, and stop.
    startup.preflight(settings)
# NiceGUI reads this at import time: keep its files beside the database, not in the checkout.
os.environ.setdefault('NICEGUI_STORAGE_PATH', str(settings.data_dir.resolve() / 'nicegui'))

from nicegui import Client, app, ui  # noqa: E402

from api import web  # noqa: E402
from app import db, health, logs, metrics  # noqa: E402
from components import nicegui_tuning, pwa, styles  # noqa: E402
from services import auth, events  # noqa: E402

nicegui_tuning.apply()
import pages  # noqa: E402, F401  (registers the pages)
from pages import errors as error_pages  # noqa: E402

error_pages.install(app)  # the 404 and 500 pages; web.configure keeps JSON for the API
pwa.install(app, worker=not settings.desktop)  # the desktop window is no tab to install
styles.install()  # the prebuilt Tailwind CSS (ui.run's tailwind=False below)
api_app = web.configure(app)  # /api/* goes to api_app, in front of NiceGUI's
# Quasar's page-loading bar (a 2 px line during requests) is decoration: hidden from screen
# readers, which would otherwise meet an unnamed progressbar outside every landmark.
app.config.quasar_config.setdefault('loadingBar', {})['aria-hidden'] = 'true'
# /metrics counts the pages with an open websocket on this instance.
metrics.count_dashboards(
    lambda: sum(1 for client in list(Client.instances.values()) if client.has_socket_connection)
)
if not SERVING:  # the pre-flight migrated already; the simulated User gets no pre-flight
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

    prepare(also_gate=[api_app])

if __name__ in {'__main__', '__mp_main__'}:
    if SERVING:
        logs.configure(level=settings.log_level, fmt=settings.log_format)
        serving.on_exit_signal(health.mark_stopping)  # /readyz says 503 while requests drain
    ui.run(
        title='Tasklight',
        language='en-US',  # <html lang>, and Quasar's own strings
        favicon=pwa.FAVICON,
        host=settings.host,
        port=settings.port,
        native=settings.native,
        window_size=(1100, 800) if settings.native else None,
        reload=False,
        # No Tailwind compiler in each browser: components/styles.py links the prebuilt CSS.
        tailwind=False,
        show=False,
        fastapi_docs=False,  # api.web serves /docs from this origin when API_DOCS allows
        reconnect_timeout=settings.reconnect_timeout_seconds,
        proxy_headers=False,  # api.web adds the proxy-headers middleware with the trusted hosts
        server_header=False,
        gzip_middleware_factory=web.gzip,  # the API application's too
        **serving.uvicorn_options(shutdown_grace_seconds=settings.shutdown_grace_seconds),
    )
