"""questions.revision: the commit order of a question's changes

Revision ID: 5b1f0c2d7e94
Revises: 992e3910279e
Create Date: 2026-11-26 20:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1f0c2d7e94'
down_revision = '992e3910279e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('revision')
