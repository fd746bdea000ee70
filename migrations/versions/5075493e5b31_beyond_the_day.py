"""outcomes, commitments, peer consents, profile line, follow-up settings: beyond the day

Revision ID: 5075493e5b31
Revises: 71f28ae93639
Create Date: 2026-12-05 19:59:39

"""
from alembic import op
import sqlalchemy as sa

import networkfest.types


# revision identifiers, used by Alembic.
revision = '5075493e5b31'
down_revision = '71f28ae93639'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('made_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('answered_at', networkfest.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('followed_up_at', networkfest.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("answer IN ('done', 'partly', 'not_yet')", name=op.f('ck_commitments_answer_known')),
    sa.ForeignKeyConstraint(['session_id'], ['festival_sessions.id'], name=op.f('fk_commitments_session_id_festival_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_commitments_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_commitments_session_id_user_id'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_user_id'), ['user_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mailed_at', networkfest.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['festival_sessions.id'], name=op.f('fk_outcomes_session_id_festival_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_outcomes_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('session_id', name=op.f('uq_outcomes_session_id'))
    )
    op.create_table('peer_consents',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['festival_sessions.id'], name=op.f('fk_peer_consents_session_id_festival_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_peer_consents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_peer_consents'))
    )
    with op.batch_alter_table('peer_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_consents_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('festivals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_weeks', sa.Integer(), server_default='4', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('role', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('follow_up_mails', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('follow_up_mails')
        batch_op.drop_column('role')
        batch_op.drop_column('organisation')

    with op.batch_alter_table('festivals', schema=None) as batch_op:
        batch_op.drop_column('follow_up_weeks')

    with op.batch_alter_table('peer_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_consents_user_id'))

    op.drop_table('peer_consents')
    op.drop_table('outcomes')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_user_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_session_id'))

    op.drop_table('commitments')
