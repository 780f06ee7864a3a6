"""receipt secrets and staff fingerprints: a receipt's link is shown once, to its issuer

``receipts.secret_hash``: a keyed hash of the random secret each receipt's link and short
code carry (unique: a typed short code finds its receipt by it). Receipts issued before
have none and keep their old links until they expire. ``staff_fingerprints``: keyed
hashes of the networks and device cookies a center's staff sign in and issue receipts
from, read when a receipt is rated. SQLite adds the unique constraint by recreating the
receipts table (batch mode); PostgreSQL alters it in place.

Revision ID: ccb663f53689
Revises: 99fdbd145ace
Create Date: 2026-12-07 17:51:58.122393

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ccb663f53689'
down_revision = '99fdbd145ace'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_fingerprints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('network', sa.String(length=32), nullable=True),
    sa.Column('device', sa.String(length=32), nullable=True),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_staff_fingerprints_center_id_centers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_fingerprints_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_fingerprints'))
    )
    with op.batch_alter_table('staff_fingerprints', schema=None) as batch_op:
        batch_op.create_index('ix_staff_fingerprints_center_id_device', ['center_id', 'device', 'seen_at'], unique=False)
        batch_op.create_index('ix_staff_fingerprints_center_id_network', ['center_id', 'network', 'seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_fingerprints_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_receipts_secret_hash'), ['secret_hash'])



def downgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_receipts_secret_hash'), type_='unique')
        batch_op.drop_column('secret_hash')

    with op.batch_alter_table('staff_fingerprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_fingerprints_user_id'))
        batch_op.drop_index('ix_staff_fingerprints_center_id_network')
        batch_op.drop_index('ix_staff_fingerprints_center_id_device')

    op.drop_table('staff_fingerprints')
