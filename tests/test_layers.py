"""Imports flow one way: pages | api → components (pages only) → services → app, and the core
never imports NiceGUI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / folder).rglob('*.py'):
        if 'migrations' in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split('.')[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split('.')[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_services_and_core_never_import_nicegui_or_the_ui() -> None:
    offenders = {
        path: sorted(names & {'nicegui', 'pages', 'components'})
        for folder in ('app', 'services', 'api')
        for path, names in _imports(folder).items()
        if names & {'nicegui', 'pages', 'components'}
    }
    assert offenders == {}


def test_the_core_imports_nothing_above_it() -> None:
    """app/ is what everything stands on: it never reaches up into services or a front door."""
    above = {'services', 'api', 'pages', 'components'}
    offenders = {
        path: sorted(names & above) for path, names in _imports('app').items() if names & above
    }
    assert offenders == {}


def test_the_api_and_the_pages_stand_side_by_side() -> None:
    api_to_pages = {path for path, names in _imports('api').items() if 'pages' in names}
    pages_to_api = {path for path, names in _imports('pages').items() if 'api' in names}
    assert api_to_pages | pages_to_api == set()


def test_components_and_pages_never_open_a_database_session() -> None:
    offenders = {
        path: sorted(names & {'sqlmodel', 'sqlalchemy', 'psycopg'})
        for folder in ('pages', 'components')
        for path, names in _imports(folder).items()
        if names & {'sqlmodel', 'sqlalchemy', 'psycopg'}
    }
    assert offenders == {}


def test_components_do_not_call_services() -> None:
    offenders = {path for path, names in _imports('components').items() if 'services' in names}
    assert offenders == set()
