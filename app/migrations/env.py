"""Alembic environment: the app's metadata, one lock so concurrent instances migrate once."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables on the metadata)
from app.db import make_engine

# Any constant shared by all instances: the key of the PostgreSQL advisory lock.
_MIGRATION_LOCK = 724_137_001

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option('sqlalchemy.url'),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option('sqlalchemy.url')
    assert url is not None
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == 'postgresql':
                connection.execute(text('SELECT pg_advisory_lock(:key)'), {'key': _MIGRATION_LOCK})
                connection.commit()
            try:
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=connection.dialect.name == 'sqlite',
                    compare_type=True,
                )
                with context.begin_transaction():
                    context.run_migrations()
                connection.commit()
            finally:
                if connection.dialect.name == 'postgresql':
                    connection.execute(
                        text('SELECT pg_advisory_unlock(:key)'), {'key': _MIGRATION_LOCK}
                    )
                    connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
