"""The prebuilt CSS in place of NiceGUI's in-browser Tailwind compiler, and how long browsers may
keep the files every page loads (components/styles.py, scripts/build-css)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from nicegui.testing import User
from nicegui.version import __version__ as nicegui_version

from components import styles
from scripts import build_icons

ROOT = Path(__file__).resolve().parents[1]
YEAR = 'max-age=31536000'


async def test_every_page_links_the_prebuilt_css_and_runs_no_compiler(user: User) -> None:
    for path, status in (('/login', 200), ('/signup', 200), ('/no-such-page', 404)):
        response = await user.http_client.get(path, follow_redirects=True)
        assert response.status_code == status, path
        page = response.text
        assert page.count(f'<link rel="stylesheet" href="{styles.TAILWIND_URL}">') == 1, path
        assert 'tailwindcss.min.js' not in page, path
        assert 'text/tailwindcss' not in page, path


async def test_the_prebuilt_css_is_named_by_its_content_and_kept_for_a_year(user: User) -> None:
    assert re.fullmatch(r'/assets/tailwind\.[0-9a-f]{12}\.css', styles.TAILWIND_URL)
    response = await user.http_client.get(styles.TAILWIND_URL)
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/css')
    assert response.headers['cache-control'] == f'public, {YEAR}, immutable'
    assert response.content == styles.TAILWIND_CSS.read_bytes()
    # The classes the frame and the sign-in pages use, and a Quasar one Tailwind also knows.
    for rule in ('.max-w-5xl{', '.text-slate-500{', '.lg\\:hidden{', '.cursor-pointer{'):
        assert rule in response.text, rule


async def test_nicegui_files_named_by_version_are_kept_for_a_year(user: User) -> None:
    for name in ('quasar.umd.prod.js', 'vue.esm-browser.prod.js', 'nicegui.css', 'fonts.css'):
        response = await user.http_client.get(f'/_nicegui/{nicegui_version}/static/{name}')
        assert response.status_code == 200, name
        assert YEAR in response.headers['cache-control'], name
        assert 'immutable' in response.headers['cache-control'], name


def test_the_committed_css_is_what_scripts_build_css_makes(tmp_path: Path) -> None:
    """Fails when a class was added to the pages without rebuilding (CI has npm: scripts/test
    installs package-lock.json); skipped only on a machine without the Tailwind CLI."""
    if not (ROOT / 'node_modules' / '.bin' / 'tailwindcss').exists() and not os.environ.get('CI'):
        pytest.skip('no node_modules/.bin/tailwindcss here: `npm ci` installs it')
    built = tmp_path / 'tailwind.css'
    subprocess.run(
        [str(ROOT / 'scripts' / 'build-css'), str(built)],
        check=True,
        env={**os.environ, 'PYTHON': sys.executable},
        timeout=120,
    )
    assert built.read_text() == styles.TAILWIND_CSS.read_text(), 'run scripts/build-css'


async def test_the_big_icon_font_is_never_named_and_the_subset_is_preloaded(user: User) -> None:
    full = build_icons.source_font().name
    response = await user.http_client.get(styles.FONTS_CSS_URL)
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/css')
    assert YEAR in response.headers['cache-control']  # changes only with NiceGUI's version
    css = response.text
    assert full not in css
    assert css.count('@font-face') == 60  # NiceGUI's 61 less the full Material Icons
    assert css.count('font-family: "Roboto";\n  font-display: swap;') == 54  # 9 scripts × 6 weights
    assert '.material-icons {' in css
    page = (await user.http_client.get('/login', follow_redirects=True)).text
    assert full not in page
    for url in (styles.ICONS_URL, f'{styles.NICEGUI_STATIC_URL}/fonts/'):
        assert f'<link rel="preload" href="{url}' in page, url
    assert (
        'font-family: "Material Icons"; font-style: normal; font-weight: 400;'
        f' src: url({styles.ICONS_URL})' in page
    )
    font = await user.http_client.get(styles.ICONS_URL)
    assert font.status_code == 200
    assert font.headers['cache-control'] == f'public, {YEAR}, immutable'
    assert font.headers['content-type'] == 'font/woff2'
    assert font.content == styles.ICONS_FONT.read_bytes()
    roboto = re.search(r'href="(/_nicegui/[^"]+/fonts/[0-9a-f]+\.woff2)"', page)
    assert roboto
    assert (await user.http_client.get(roboto.group(1))).status_code == 200


def test_the_icon_subset_has_every_icon_the_code_and_quasar_name() -> None:
    """Fails when an icon was added to the pages without `scripts/build_icons.py`."""
    from fontTools.ttLib import TTFont

    full = build_icons.ligatures(TTFont(build_icons.source_font()))
    subset = build_icons.ligatures(TTFont(styles.ICONS_FONT))
    wanted = build_icons.wanted_words() & set(full)
    assert wanted - set(subset) == set(), 'run scripts/build_icons.py'
    # The theme menu's, the select's arrow, a field's clear button, the list row's menu.
    for name in ('brightness_auto', 'dark_mode', 'arrow_drop_down', 'cancel', 'more_vert'):
        assert name in subset, name
    assert len(subset) < len(full) / 5


async def test_the_favicon_is_kept_for_a_day(user: User) -> None:
    """NiceGUI's own /favicon.ico route sends no Cache-Control; the app's answers first."""
    response = await user.http_client.get('/favicon.ico')
    assert response.status_code == 200
    assert response.headers['cache-control'] == 'public, max-age=86400'
