"""account settings, the calendar feed's public id, and each session's device

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('week_start', sa.String(length=9), server_default='monday', nullable=False)
        )
        batch_op.add_column(
            sa.Column('theme', sa.String(length=8), server_default='system', nullable=False)
        )
        batch_op.add_column(sa.Column('default_list_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('calendar_feed_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            'fk_user_account_default_list_id_task_list',
            'task_list',
            ['default_list_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index('uq_user_account_calendar_feed', ['calendar_feed_id'], unique=True)

    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('user_agent', sa.String(length=256), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('address', sa.String(length=64), server_default='', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('user_agent')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('uq_user_account_calendar_feed')
        batch_op.drop_constraint('fk_user_account_default_list_id_task_list', type_='foreignkey')
        batch_op.drop_column('calendar_feed_id')
        batch_op.drop_column('default_list_id')
        batch_op.drop_column('theme')
        batch_op.drop_column('week_start')
