"""Alembic environment: the app's metadata, one lock so concurrent instances migrate once."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables on the metadata)
from app.db import make_engine, schema_filter

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


def _check_foreign_keys(connection: Connection) -> None:
    """With the checks off during the rebuild, prove afterwards that every reference holds."""
    broken = connection.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'migration left {len(broken)} broken references, e.g. {broken[0]}')


def run_migrations_online() -> None:
    url = config.get_main_option('sqlalchemy.url')
    assert url is not None
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == 'sqlite'
            if connection.dialect.name == 'postgresql':
                connection.execute(text('SELECT pg_advisory_lock(:key)'), {'key': _MIGRATION_LOCK})
                connection.commit()
            if sqlite:
                # A batch migration rebuilds a table (create, copy, drop, rename): with foreign
                # keys on, dropping a referenced table would cascade and delete its children.
                # The pragma only takes effect outside a transaction, hence before configure.
                connection.exec_driver_sql('PRAGMA foreign_keys=OFF')
            try:
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=connection.dialect.name == 'sqlite',
                    compare_type=True,
                    include_object=schema_filter(connection.dialect.name),
                )
                with context.begin_transaction():
                    context.run_migrations()
                    if sqlite:
                        _check_foreign_keys(connection)
                connection.commit()
            finally:
                if sqlite:
                    connection.exec_driver_sql('PRAGMA foreign_keys=ON')
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
