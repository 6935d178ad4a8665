"""team deployments: admins and deactivation, single sign-on identities, invitations, shared
lists and assignees

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True)
        )

    op.create_table(
        'list_member',
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('role', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['list_id'], ['task_list.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('list_id', 'user_id'),
    )
    op.create_index('ix_list_member_user_id', 'list_member', ['user_id'])

    op.create_table(
        'user_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_user_identity_user_id', 'user_identity', ['user_id'])
    op.create_index(
        'uq_user_identity_issuer_subject', 'user_identity', ['issuer', 'subject'], unique=True
    )

    op.create_table(
        'invitation',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('created_by', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('used_by', sa.Uuid(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['used_by'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )

    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:  # SQLite's table rebuild would recreate it from reflection, losing its DESC columns
        op.drop_index('ix_task_owner_list', table_name='task')
    with op.batch_alter_table(
        'task', schema=None, table_kwargs={'sqlite_autoincrement': True}, recreate='auto'
    ) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            'fk_task_assignee_id_user_account',
            'user_account',
            ['assignee_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index(
            'ix_task_assignee',
            ['assignee_id', 'completed'],
            postgresql_where=sa.text('assignee_id IS NOT NULL'),
            sqlite_where=sa.text('assignee_id IS NOT NULL'),
        )
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
    with op.batch_alter_table(
        'task', schema=None, table_kwargs={'sqlite_autoincrement': True}, recreate='auto'
    ) as batch_op:
        batch_op.drop_index('ix_task_assignee')
        batch_op.drop_constraint('fk_task_assignee_id_user_account', type_='foreignkey')
        batch_op.drop_column('assignee_id')
    if sqlite:
        _newest_first_index()
    op.drop_table('invitation')
    op.drop_index('uq_user_identity_issuer_subject', table_name='user_identity')
    op.drop_index('ix_user_identity_user_id', table_name='user_identity')
    op.drop_table('user_identity')
    op.drop_index('ix_list_member_user_id', table_name='list_member')
    op.drop_table('list_member')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('is_admin')
