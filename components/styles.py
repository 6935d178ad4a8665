"""The pages' prebuilt CSS and fonts, lighter than NiceGUI's defaults for the first paint.

1. Tailwind. `ui.run(tailwind=False)` drops NiceGUI's `tailwindcss.min.js` (68 KiB gzipped, and
a compile on every page load before the first paint). Instead every page links
`assets/tailwind.css`, which `scripts/build-css` makes with the same compiler (Tailwind 4.1.13)
from the classes in `pages/`, `components/` and `main.py` and the Quasar classes Tailwind also
knows. It is committed, so the app needs no npm; `tests/test_styles.py` fails when it is stale.

2. Icons. NiceGUI's Material Icons font is 126 KiB; `scripts/build_icons.py` keeps the icons
the app can show (19 KiB, `assets/material-icons.woff2`). NiceGUI's `fonts.css` is answered here
without its "Material Icons" face (so the big file is never fetched), and each page's head
declares that face on the subset, named by its content. Roboto, Quasar's font, stays (a system
font would move the layout), but shows with `font-display: swap` and, like the icons, is
preloaded: without that neither is asked for before the page's scripts have built it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path

import nicegui
from fastapi.responses import FileResponse, Response
from nicegui import Client, app, ui
from nicegui.version import __version__ as NICEGUI_VERSION
from starlette.requests import Request
from starlette.routing import Route

ASSETS = Path(__file__).resolve().parent / 'assets'
TAILWIND_CSS = ASSETS / 'tailwind.css'
ICONS_FONT = ASSETS / 'material-icons.woff2'
# Named by content, so never stale: a browser need not even ask again within the year.
IMMUTABLE = 'public, max-age=31536000, immutable'
NICEGUI_STATIC = Path(nicegui.__file__).parent / 'static'
NICEGUI_STATIC_URL = f'/_nicegui/{NICEGUI_VERSION}/static'
FONTS_CSS_URL = f'{NICEGUI_STATIC_URL}/fonts.css'


def _named_by_content(path: Path) -> str:
    stem, suffix = path.name.split('.', 1)
    return f'/assets/{stem}.{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}.{suffix}'


# Named by their content: cached for a year, and a changed file is a new name.
TAILWIND_URL = _named_by_content(TAILWIND_CSS)
ICONS_URL = _named_by_content(ICONS_FONT)
_ICONS_FACE = re.compile(
    r'/\* fallback \*/\s*@font-face \{[^}]*font-family: "Material Icons";[^}]*\}\s*'
)
_LATIN = re.compile(r'/\* latin \*/\s*@font-face \{[^}]*font-weight: 400;[^}]*url\((fonts/[^)]+)\)')


@lru_cache(maxsize=1)
def fonts_css() -> str:
    """NiceGUI's fonts.css without the full Material Icons face; Roboto swaps in when loaded."""
    css = (NICEGUI_STATIC / 'fonts.css').read_text(encoding='utf-8')
    css, removed = _ICONS_FACE.subn('', css)
    assert removed == 1, 'NiceGUI fonts.css changed: check components/styles.py'
    return css.replace('font-family: "Roboto";', 'font-family: "Roboto";\n  font-display: swap;')


def _roboto_latin_url() -> str:
    found = _LATIN.search((NICEGUI_STATIC / 'fonts.css').read_text(encoding='utf-8'))
    assert found, 'NiceGUI fonts.css changed: check components/styles.py'
    return f'{NICEGUI_STATIC_URL}/{found.group(1)}'


HEAD_HTML = '\n'.join(
    (
        *(
            f'<link rel="preload" href="{url}" as="font" type="font/woff2" crossorigin>'
            for url in (_roboto_latin_url(), ICONS_URL)
        ),
        '<style>@font-face { font-display: block; font-family: "Material Icons";'
        f' font-style: normal; font-weight: 400; src: url({ICONS_URL}) format("woff2"); }}</style>',
        f'<link rel="stylesheet" href="{TAILWIND_URL}">',
    )
)


async def _fonts_css(_request: Request) -> Response:
    # Under NiceGUI's versioned path: the middleware gives it NiceGUI's year-long Cache-Control,
    # which holds, since this answer changes only with NiceGUI's version.
    return Response(fonts_css(), media_type='text/css')


def _content_named(path: Path, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    async def serve(_request: Request) -> Response:
        return FileResponse(path, media_type=media_type, headers={'Cache-Control': IMMUTABLE})

    return serve


def install() -> None:
    """Serve the prebuilt CSS, the icon subset and the lighter fonts.css; link them from every
    page. Safe to call again."""
    paths = {getattr(route, 'path', None) for route in app.routes}
    files = ((TAILWIND_URL, TAILWIND_CSS, 'text/css'), (ICONS_URL, ICONS_FONT, 'font/woff2'))
    for url, path, media_type in files:
        if url not in paths:
            app.router.routes.append(
                Route(url, _content_named(path, media_type), methods=['GET', 'HEAD'])
            )
    if FONTS_CSS_URL not in paths:  # ahead of NiceGUI's static files, which would answer first
        app.router.routes.insert(0, Route(FONTS_CSS_URL, _fonts_css, methods=['GET', 'HEAD']))
    if HEAD_HTML not in Client.shared_head_html:
        ui.add_head_html(HEAD_HTML, shared=True)
