"""index ratings and rollups for scale: no page scans raw ratings

Partial indexes for the few rows the center page, the officer page and the retention
purges read (flagged, commented, with a phone number); a BRIN index on ``created_at``
on PostgreSQL only; and (scope, key_id, day) on the rollups, covering on PostgreSQL.
On PostgreSQL the indexes of the big tables are built CONCURRENTLY-free here (one
transaction, as every migration); on a live 100-million-row table build them with
``CREATE INDEX CONCURRENTLY`` first (bench/README.md, "Scaling out") and this migration
skips what exists.

Revision ID: b7d3c1a9e5f2
Revises: fc4823f89b7b
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d3c1a9e5f2'
down_revision = 'fc4823f89b7b'
branch_labels = None
depends_on = None

PARTIAL = (
    ("ix_ratings_flagged", ["center_id", "created_at"], "flags <> ''"),
    ("ix_ratings_commented", ["center_id", "created_at"], "comment <> ''"),
    ("ix_ratings_officer_commented", ["officer_id", "created_at"], "comment <> ''"),
    ("ix_ratings_comment_created_at", ["created_at"], "comment <> ''"),
    ("ix_ratings_phone_created_at", ["created_at"], "phone_encrypted IS NOT NULL"),
)


def _existing(table: str) -> set[str]:
    return {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    existing = _existing("ratings")
    for name, columns, where in PARTIAL:
        if name not in existing:
            op.create_index(
                name,
                "ratings",
                columns,
                unique=False,
                sqlite_where=sa.text(where),
                postgresql_where=sa.text(where),
            )
    if postgresql and "ix_ratings_created_at_brin" not in existing:
        op.create_index(
            "ix_ratings_created_at_brin", "ratings", ["created_at"], postgresql_using="brin"
        )
    if "ix_rating_rollups_scope_key_id_day" not in _existing("rating_rollups"):
        op.create_index(
            "ix_rating_rollups_scope_key_id_day",
            "rating_rollups",
            ["scope", "key_id", "day"],
            unique=False,
            postgresql_include=["n1", "n2", "n3", "n4", "n5"],
        )


def downgrade():
    op.drop_index("ix_rating_rollups_scope_key_id_day", table_name="rating_rollups")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_ratings_created_at_brin", table_name="ratings")
    for name, _columns, _where in reversed(PARTIAL):
        op.drop_index(name, table_name="ratings")
