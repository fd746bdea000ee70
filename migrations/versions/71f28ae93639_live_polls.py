"""polls, poll_choices, festival_sessions.prepared_polls: live polls in the room, prepared
in the schedule file or written on the spot

Revision ID: 71f28ae93639
Revises: 7c3d9e1a2b45
Create Date: 2026-12-05 18:09:05

"""
from alembic import op
import sqlalchemy as sa

import networkfest.types


# revision identifiers, used by Alembic.
revision = '71f28ae93639'
down_revision = '7c3d9e1a2b45'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('prepared_position', sa.Integer(), nullable=True),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('results', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('open_in_session', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('opened_at', networkfest.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', networkfest.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['festival_sessions.id'], name=op.f('fk_polls_session_id_festival_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
    sa.UniqueConstraint('open_in_session', name=op.f('uq_polls_open_in_session')),
    sa.UniqueConstraint('session_id', 'prepared_position', name=op.f('uq_polls_session_id_prepared_position'))
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polls_session_id'), ['session_id'], unique=False)

    op.create_table('poll_choices',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.Integer(), nullable=False),
    sa.Column('answered_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_choices_poll_id_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_poll_choices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'user_id', 'option', name=op.f('pk_poll_choices'))
    )
    with op.batch_alter_table('poll_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_choices_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('festival_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prepared_polls', sa.JSON(), server_default='[]', nullable=False))



def downgrade():
    with op.batch_alter_table('festival_sessions', schema=None) as batch_op:
        batch_op.drop_column('prepared_polls')

    with op.batch_alter_table('poll_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_choices_user_id'))

    op.drop_table('poll_choices')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_polls_session_id'))

    op.drop_table('polls')
