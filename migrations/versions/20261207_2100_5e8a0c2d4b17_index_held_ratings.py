"""index held ratings: the province-wide review queue reads only the ratings waiting

A partial index on the ratings held for review (flagged, not yet decided), in the
queue's order: the queue and its count on the start page and the province dashboard
read these few rows, whatever the number of decided ones.

Revision ID: 5e8a0c2d4b17
Revises: 70849fa10758
Create Date: 2026-12-07 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e8a0c2d4b17'
down_revision = '70849fa10758'
branch_labels = None
depends_on = None

WHERE = "flags <> '' AND cleared_at IS NULL"


def upgrade():
    op.create_index(
        "ix_ratings_held",
        "ratings",
        ["created_at", "center_id"],
        unique=False,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade():
    op.drop_index("ix_ratings_held", table_name="ratings")
