"""add export job heartbeat: a running job whose worker was killed is marked failed

Every progress step writes ``heartbeat_at``; a running job without one for
EXPORTS_STALE_SECONDS is marked failed ("lost") and its owner may start it again.
A nullable column: existing rows need no value (their started_at stands in).

Revision ID: e5b2f7c1d9a4
Revises: d41c7e2a9b6f
Create Date: 2026-12-07 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b2f7c1d9a4'
down_revision = 'd41c7e2a9b6f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
