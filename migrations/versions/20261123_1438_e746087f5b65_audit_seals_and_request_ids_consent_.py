"""Audit seals (HMAC under a key outside the database) and request ids; the consent ledger.

Existing audit entries have no seal: after upgrading, run `flask audit seal` once (it
checks the chain first and refuses to seal tampered history); until then `flask audit
verify` reports the first unsealed entry.

Revision ID: e746087f5b65
Revises: ec5a6bf9edcd
Create Date: 2026-11-23 14:38:52.482033

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e746087f5b65'
down_revision = 'ec5a6bf9edcd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=12), nullable=True),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('erased', 'retention')", name=op.f('ck_consent_records_end_reason')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_consent_records_rating_id_ratings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_records_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_records_rating_id'), ['rating_id'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('audit_heads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('audit_heads', schema=None) as batch_op:
        batch_op.drop_column('mac')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_request_id'))
        batch_op.drop_column('mac')
        batch_op.drop_column('request_id')

    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_records_rating_id'))
        batch_op.drop_index(batch_op.f('ix_consent_records_created_at'))

    op.drop_table('consent_records')
