"""sign_ins, users.verified_at, audit_entries.subject_id: sign-ins the server can end,
addresses proved, people named in the audit log by id

Revision ID: 7c3d9e1a2b45
Revises: 5b1f0c2d7e94
Create Date: 2026-12-05 17:30:00

"""
from alembic import op
import sqlalchemy as sa

import networkfest.types


# revision identifiers, used by Alembic.
revision = '7c3d9e1a2b45'
down_revision = '5b1f0c2d7e94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_subject_id'), ['subject_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_audit_entries_subject_id_users'), 'users', ['subject_id'], ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', networkfest.types.UTCDateTime(timezone=True), nullable=True))
    # Everyone who has an account today keeps every right they have: they count as verified.
    op.execute('UPDATE users SET verified_at = created_at')
    op.create_table(
        'sign_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', networkfest.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', networkfest.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_sign_ins_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_ins_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_ins_user_id'))
    op.drop_table('sign_ins')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('verified_at')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entries_subject_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_entries_subject_id'))
        batch_op.drop_column('subject_id')
