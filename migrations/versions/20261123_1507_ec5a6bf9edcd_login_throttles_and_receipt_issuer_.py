"""Login throttles per (username, network); receipt issuer fingerprints (issue 12).

login_throttles replaces the hard account lock with a growing delay shared by all
workers. receipts.issuer_network / issuer_device hold keyed hashes of the issuing staff
session's network and device cookie (no address, no cookie value), and
ratings.from_center_network marks receipt ratings sent soon after issuance from the
center's own network, so that self-ratings are held for an inspector.

Revision ID: ec5a6bf9edcd
Revises: e8fd0931c4a0
Create Date: 2026-11-23 15:07:55.437990

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ec5a6bf9edcd'
down_revision = 'e8fd0931c4a0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('from_center_network', sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer_network', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('issuer_device', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_receipts_center_id_issuer_network', ['center_id', 'issuer_network'], unique=False)



def downgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_receipts_center_id_issuer_network')
        batch_op.drop_column('issuer_device')
        batch_op.drop_column('issuer_network')

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_column('from_center_network')

    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_updated_at'))

    op.drop_table('login_throttles')
