"""exact figures and the class cap of the standard

Snapshots keep the unrounded figures the ranks are taken on (``exact``), the mandatory
criteria a verified result failed and whether the class was capped; a period's settings
say the best class of a center that is not standardized (default "fair", Khá). Existing
snapshots get empty records and are filled by the next recompute.

Revision ID: 8403b2ee9419
Revises: e5b2f7c1d9a4
Create Date: 2026-12-07 17:35:33.855327

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8403b2ee9419"
down_revision = "e5b2f7c1d9a4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("score_snapshots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("capped", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("failed_gates", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("exact", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )

    with op.batch_alter_table("scoring_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("class_cap", sa.String(length=10), server_default="fair", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("scoring_settings", schema=None) as batch_op:
        batch_op.drop_column("class_cap")

    with op.batch_alter_table("score_snapshots", schema=None) as batch_op:
        batch_op.drop_column("exact")
        batch_op.drop_column("failed_gates")
        batch_op.drop_column("capped")
