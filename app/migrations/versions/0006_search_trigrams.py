"""search by trigrams on PostgreSQL: the pg_trgm and btree_gin extensions and GIN indexes of
each person's task titles and descriptions (nothing on SQLite)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = ('title', 'description')
OWNER_STATISTICS = 1000  # PostgreSQL's default target is 100


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Both are trusted extensions since PostgreSQL 13: a role with CREATE on the database may
    # create them without being a superuser (docs/operations.md).
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.execute('CREATE EXTENSION IF NOT EXISTS btree_gin')  # owner_id as a GIN key
    # The planner picks the trigram index over a person's few rows in the owner index when it
    # overestimates how many rows a person has: sampled at the default target, a few very
    # heavy owners made it guess 28,000 owners among 100,000 (319 rows each, not 91), and a
    # typical person's search went from 0.1 to 1.2 ms. A larger sample sees them all.
    op.execute(f'ALTER TABLE task ALTER COLUMN owner_id SET STATISTICS {OWNER_STATISTICS}')
    # Built CONCURRENTLY, outside the migration's transaction: on ten million tasks each build
    # takes minutes, and a plain CREATE INDEX would hold every write to `task` that long while
    # the other instances of a rolling upgrade keep serving (docs/operations.md).
    with op.get_context().autocommit_block():
        for column in SEARCHED:
            name = f'ix_task_owner_{column}_trgm'
            valid = (
                op.get_bind()
                .execute(
                    sa.text('SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(:name)'),
                    {'name': name},
                )
                .scalar()
            )
            if valid:  # built by an earlier start that stopped before the next one
                continue
            if valid is not None:  # a build cut short leaves an invalid index: start again
                op.execute(f'DROP INDEX CONCURRENTLY {name}')
            # The owner and the text's trigrams in one GIN index, so that a search reads only
            # the person's entries of each trigram (trigrams alone are common across everyone's
            # tasks). Partial, on non-empty text, which every match has: the planner then takes
            # it only for a search that says so, never for the owner alone in the list queries.
            op.create_index(
                name,
                'task',
                ['owner_id', column],
                postgresql_using='gin',
                postgresql_ops={column: 'gin_trgm_ops'},
                postgresql_where=sa.text(f"{column} <> ''"),
                postgresql_concurrently=True,
            )
        op.execute('ANALYZE task')  # the new statistics target, now (it takes no write lock)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for column in SEARCHED:
        op.drop_index(f'ix_task_owner_{column}_trgm', table_name='task')
    op.execute('ALTER TABLE task ALTER COLUMN owner_id SET STATISTICS -1')
    # The extensions stay: other objects of the database may use them, and unused they cost
    # nothing.
