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
    assert response.headers['cache-control'] == f'public, {YEAR}'
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
