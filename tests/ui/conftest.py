"""Simulated-user tests run main.py in-process on the SQLite file named by the root conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from app import db
from tests.conftest import TABLES


@pytest.fixture(autouse=True)
def _app_database() -> Iterator[None]:
    db.set_engine(None)  # main.py migrates and connects to the configured database
    yield
    engine = db.get_engine()
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f'DELETE FROM {table}'))
