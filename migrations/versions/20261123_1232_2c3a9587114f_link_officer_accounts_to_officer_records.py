"""Link a counter officer's account to their officer record, for "My ratings".

Nullable, SET NULL when the officer record is removed; existing accounts stay unlinked
until an administrator links them.

Revision ID: 2c3a9587114f
Revises: 6440926c35cf
Create Date: 2026-11-23 12:32:26.043200

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2c3a9587114f'
down_revision = '6440926c35cf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_officer_id'), ['officer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_officer_id_officers'), 'officers', ['officer_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_officer_id_officers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_officer_id'))
        batch_op.drop_column('officer_id')

