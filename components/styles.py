"""The pages' prebuilt CSS, in place of the Tailwind compiler NiceGUI runs in the browser.

`ui.run(tailwind=False)` drops NiceGUI's `tailwindcss.min.js` (68 KiB gzipped, and a compile on
every page load before the first paint). Instead every page links `assets/tailwind.css`, which
`scripts/build-css` makes with the same compiler (Tailwind 4.1.13) from the classes in `pages/`,
`components/` and `main.py` and the Quasar classes Tailwind also knows (see the script). It is
committed, so the app needs no npm; `tests/test_styles.py` fails when it is stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from nicegui import Client, app, ui

ASSETS = Path(__file__).resolve().parent / 'assets'
TAILWIND_CSS = ASSETS / 'tailwind.css'
YEAR = 31_536_000

# Named by its content: cached for a year, and a changed file is a new name.
TAILWIND_URL = f'/assets/tailwind.{hashlib.sha256(TAILWIND_CSS.read_bytes()).hexdigest()[:12]}.css'
HEAD_HTML = f'<link rel="stylesheet" href="{TAILWIND_URL}">'


def install() -> None:
    """Serve the prebuilt CSS and link it from every page. Safe to call again."""
    if not any(getattr(route, 'path', None) == TAILWIND_URL for route in app.routes):
        app.add_static_file(local_file=TAILWIND_CSS, url_path=TAILWIND_URL, max_cache_age=YEAR)
    if HEAD_HTML not in Client.shared_head_html:
        ui.add_head_html(HEAD_HTML, shared=True)
