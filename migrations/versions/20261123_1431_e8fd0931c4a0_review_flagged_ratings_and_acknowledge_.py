"""Review flagged ratings (confirm or reject, with a reason) and acknowledge alerts.

Ratings gain the inspector's verdict on their flags and its reason, and the reason a
comment was hidden; existing rows get NULL / empty text (a cleared rating keeps counting).
Acknowledged alerts are kept in their own table.

Revision ID: e8fd0931c4a0
Revises: 1f25f32b524b
Create Date: 2026-11-23 14:31:08.197394

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8fd0931c4a0'
down_revision = '1f25f32b524b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('until_day', sa.Date(), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('dissatisfied', 'silent_counter', 'overdue_case')", name=op.f('ck_alert_acknowledgements_kind')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_alert_acknowledgements_acknowledged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_alert_acknowledgements_center_id_centers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_acknowledgements'))
    )
    with op.batch_alter_table('alert_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_acknowledgements_center_id'), ['center_id'], unique=False)

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_hidden_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('flag_review', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('flag_review_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_ratings_flag_review'),
            "flag_review IS NULL OR flag_review IN ('confirmed', 'rejected')",
        )



def downgrade():
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ratings_flag_review'), type_='check')
        batch_op.drop_column('flag_review_reason')
        batch_op.drop_column('flag_review')
        batch_op.drop_column('comment_hidden_reason')

    with op.batch_alter_table('alert_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_acknowledgements_center_id'))

    op.drop_table('alert_acknowledgements')
