"""search by trigrams on PostgreSQL: the pg_trgm extension and GIN indexes on task title and
description (nothing on SQLite)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = ('title', 'description')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    # A trusted extension since PostgreSQL 13: a role with CREATE on the database may create it
    # without being a superuser (docs/operations.md).
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for column in SEARCHED:
        op.create_index(
            f'ix_task_{column}_trgm',
            'task',
            [column],
            postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for column in SEARCHED:
        op.drop_index(f'ix_task_{column}_trgm', table_name='task')
    # pg_trgm stays: other objects of the database may use it, and it costs nothing unused.
