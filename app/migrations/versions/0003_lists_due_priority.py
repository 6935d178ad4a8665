"""lists, due dates, priorities and the person's own order; every task moves into an Inbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:45:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False)
        )

    op.create_table(
        'task_list',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('colour', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Float(), nullable=False),
        sa.Column('is_inbox', sa.Boolean(), nullable=False),
        sa.Column('sort', sa.String(length=16), server_default='manual', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_task_list_owner', 'task_list', ['owner_id', 'position'])
    op.create_index(
        'uq_task_list_inbox',
        'task_list',
        ['owner_id'],
        unique=True,
        sqlite_where=sa.text('is_inbox'),
        postgresql_where=sa.text('is_inbox'),
    )

    # Every existing account gets its Inbox.
    now = datetime.now(UTC)
    bind = op.get_bind()
    stamp = now.replace(tzinfo=None) if bind.dialect.name == 'sqlite' else now
    bind.execute(
        sa.text(
            'INSERT INTO task_list (owner_id, name, colour, position, is_inbox, sort, '
            'created_at, updated_at, version) '
            "SELECT id, 'Inbox', 'grey', 0, :yes, 'manual', :now, :now, 1 FROM user_account"
        ),
        {'yes': True, 'now': stamp},
    )

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('position', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('priority', sa.SmallInteger(), server_default='0', nullable=False)
        )

    # Each task goes into its owner's Inbox; the order they saw (newest first) becomes their own.
    bind.execute(
        sa.text(
            'UPDATE task SET list_id = (SELECT l.id FROM task_list l '
            'WHERE l.owner_id = task.owner_id AND l.is_inbox)'
        )
    )
    rows = bind.execute(
        sa.text('SELECT id, owner_id FROM task ORDER BY owner_id, created_at DESC, id DESC')
    ).all()
    updates: list[dict[str, object]] = []
    owner, rank = None, 0
    for task_id, owner_id in rows:
        rank = rank + 1 if owner_id == owner else 1
        owner = owner_id
        updates.append({'id': task_id, 'position': float(rank)})
    for start in range(0, len(updates), _BATCH):
        bind.execute(
            sa.text('UPDATE task SET position = :position WHERE id = :id'),
            updates[start : start + _BATCH],
        )

    sqlite = bind.dialect.name == 'sqlite'
    if sqlite:  # the rebuild below would recreate it from reflection, losing its DESC columns
        op.drop_index('ix_task_owner_list', table_name='task')
    with op.batch_alter_table(
        'task', schema=None, table_kwargs={'sqlite_autoincrement': True}, recreate='auto'
    ) as batch_op:
        batch_op.alter_column('list_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('position', existing_type=sa.Float(), nullable=False)
        batch_op.create_foreign_key(
            'fk_task_list_id_task_list', 'task_list', ['list_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.create_index('ix_task_list_order', ['list_id', 'completed', 'position', 'id'])
        batch_op.create_index('ix_task_owner_due', ['owner_id', 'completed', 'due_date'])
    if sqlite:
        _newest_first_index()


def _newest_first_index() -> None:
    op.create_index(
        'ix_task_owner_list',
        'task',
        ['owner_id', 'completed', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')],
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.drop_index('ix_task_owner_list', table_name='task')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_owner_due')
        batch_op.drop_index('ix_task_list_order')
        batch_op.drop_constraint('fk_task_list_id_task_list', type_='foreignkey')
        batch_op.drop_column('priority')
        batch_op.drop_column('due_at')
        batch_op.drop_column('due_time')
        batch_op.drop_column('due_date')
        batch_op.drop_column('position')
        batch_op.drop_column('list_id')
    if sqlite:
        _newest_first_index()
    op.drop_index('uq_task_list_inbox', table_name='task_list')
    op.drop_index('ix_task_list_owner', table_name='task_list')
    op.drop_table('task_list')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
