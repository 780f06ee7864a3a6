"""one open appeal per inspection: a partial unique index

Two simultaneous appeals by one manager gave two open appeals on PostgreSQL. The service
now takes the inspection's row lock; this index makes the rule hold in the database
whatever the code does. Should a database already hold two open appeals for one
inspection, the index cannot be built: the later ones must be decided (or removed) first,
and the upgrade says which inspection.

Revision ID: 3c9e1f7a2b54
Revises: ccb663f53689
Create Date: 2026-12-04 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3c9e1f7a2b54"
down_revision = "ccb663f53689"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade():
    duplicate = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT inspection_id FROM inspection_appeals WHERE status = 'open' "
                "GROUP BY inspection_id HAVING COUNT(*) > 1"
            )
        )
        .first()
    )
    if duplicate is not None:
        raise RuntimeError(
            f"inspection {duplicate[0]} has more than one open appeal: decide the later "
            "ones before upgrading"
        )
    op.create_index(
        "uq_inspection_appeals_one_open",
        "inspection_appeals",
        ["inspection_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade():
    op.drop_index("uq_inspection_appeals_one_open", table_name="inspection_appeals")
