import pytest


@pytest.fixture(autouse=True)
def _on_both_databases(database: str) -> str:
    return database
