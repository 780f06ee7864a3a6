"""add month rollups of centers: trends and the province dashboard read 30x fewer rows

A new rollup scope ``month`` (``day`` = the first of the month, ``key_id`` = the center),
maintained with the daily rows in the same upsert of every rating. The scope check is
widened (SQLite: the table is recreated by batch mode from the definition below) and the
month rows are built from the stored daily center rows.

Revision ID: d41c7e2a9b6f
Revises: 5a1805f33b0a
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41c7e2a9b6f'
down_revision = '5a1805f33b0a'
branch_labels = None
depends_on = None

OLD_CHECK = "scope IN ('center', 'counter', 'officer')"
NEW_CHECK = "scope IN ('center', 'counter', 'officer', 'month')"


def _definition(check: str) -> sa.Table:
    meta = sa.MetaData()
    sa.Table("centers", meta, sa.Column("id", sa.Integer(), primary_key=True))
    return sa.Table(
        "rating_rollups",
        meta,
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        *(sa.Column(f"n{i}", sa.Integer(), nullable=False) for i in range(1, 6)),
        sa.CheckConstraint(check, name="ck_rating_rollups_scope"),
        sa.ForeignKeyConstraint(
            ["center_id"], ["centers.id"], name="fk_rating_rollups_center_id_centers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "scope", "key_id", name="pk_rating_rollups"),
        sa.Index("ix_rating_rollups_center_id", "center_id"),
        sa.Index("ix_rating_rollups_scope_key_id_day", "scope", "key_id", "day"),
    )


def _set_check(check: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "rating_rollups", copy_from=_definition(check), recreate="always"
        ):
            pass
    else:
        name = op.f("ck_rating_rollups_scope")  # already the convention's full name
        op.drop_constraint(name, "rating_rollups", type_="check")
        op.create_check_constraint(name, "rating_rollups", check)


def upgrade():
    _set_check(NEW_CHECK)
    if op.get_bind().dialect.name == "sqlite":
        month = "date(day, 'start of month')"
    else:
        month = "CAST(date_trunc('month', day) AS DATE)"
    op.execute(
        "INSERT INTO rating_rollups (day, scope, key_id, center_id, n1, n2, n3, n4, n5) "
        f"SELECT {month}, 'month', key_id, min(center_id), "
        "sum(n1), sum(n2), sum(n3), sum(n4), sum(n5) "
        f"FROM rating_rollups WHERE scope = 'center' GROUP BY {month}, key_id"
    )


def downgrade():
    op.execute("DELETE FROM rating_rollups WHERE scope = 'month'")
    _set_check(OLD_CHECK)
