"""Simulated-user tests run main.py in-process on the SQLite file named by the root conftest,
or, in a module that asks for `app_on_both_databases`, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from app import db
from app.config import get_settings
from tests.conftest import TABLES

BOTH = 'app_on_both_databases'


@pytest.fixture
def app_on_both_databases(database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a UI test on SQLite and on PostgreSQL, as the service and API tests are.

    Opt in per module with `pytestmark = pytest.mark.usefixtures('app_on_both_databases')`
    (fixtures named by usefixtures are set up before a test's own, so before `user` runs
    main.py). The root conftest's `database` fixture does the work: it parametrizes the test
    over its session-wide databases (a fresh SQLite file, and this worker's PostgreSQL database
    from TEST_POSTGRES_URL, each migrated once), points `app.db` at that engine, and empties
    every table after the test. Here main.py is pointed at it as well: DATABASE_URL names it,
    so the simulated app's start-up migration (at head already: nothing to do) and, on
    PostgreSQL, its cross-instance listener run against it as a deployed instance's would.
    `_app_database` below then leaves the engine alone."""
    monkeypatch.setenv('DATABASE_URL', db.get_engine().url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return database


@pytest.fixture(autouse=True)
def _app_database(request: pytest.FixtureRequest) -> Iterator[None]:
    if BOTH in request.fixturenames:  # the `database` fixture sets and empties the engine
        yield
        return
    db.set_engine(None)  # main.py migrates and connects to the configured database
    yield
    engine = db.get_engine()
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f'DELETE FROM {table}'))


@pytest.fixture(autouse=True)
def _undo_outlasts_a_busy_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """An Undo notice goes after 6 s, and on a machine whose cores are busy a test can take
    longer than that from the action to its click on Undo: the notices stay for two minutes
    here (the component test that checks they go by themselves gives its own time)."""
    from components import undo

    monkeypatch.setattr(undo, 'SECONDS', 120.0)


@pytest.fixture(autouse=True)
def _javascript_rules_from_the_first_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """NiceGUI 3.18's `User.open` hooks `javascript_rules` into the client's outbox only after
    the simulated handshake has returned; a page that asks the browser something as soon as it
    is connected (the settings page's time zone) can have its question sent during the
    handshake, unanswered, and wait out its timeout. Hook them in before the handshake."""
    from nicegui.testing import user as user_module

    original_handshake = user_module._on_handshake
    original_patch = user_module.User._patch_outbox_emit_function

    def patch_once(self: user_module.User) -> None:
        outbox = self._client.outbox
        if getattr(outbox, '_tasklight_rules', False):
            return
        original_patch(self)
        outbox._tasklight_rules = True  # type: ignore[attr-defined]

    async def open_hooked(self: user_module.User, path: str, **kwargs: object) -> object:
        async def handshake(sid: str, data: dict[str, str]) -> object:
            self.client = user_module.Client.instances[data['client_id']]
            self._patch_outbox_emit_function()
            return await original_handshake(sid, data)

        monkeypatch.setattr(user_module, '_on_handshake', handshake)
        try:
            return await original_open(self, path, **kwargs)
        finally:
            monkeypatch.setattr(user_module, '_on_handshake', original_handshake)

    original_open = user_module.User.open
    monkeypatch.setattr(user_module.User, '_patch_outbox_emit_function', patch_once)
    monkeypatch.setattr(user_module.User, 'open', open_hooked)
