"""reconciliation_items: how, why and by whom finance resolved a difference (issue 16)

Revision ID: 20261203_1830_recon_resolution
Revises: 20261203_1450_reconciliation
Create Date: 2026-12-03 18:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1830_recon_resolution"
down_revision = "20261203_1450_reconciliation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reconciliation_items") as batch:
        resolution = sa.Enum(
            "ours_corrected",
            "stripe_corrected",
            "accepted",
            name="reconciliationresolution",
            native_enum=False,
            length=32,
        )
        batch.add_column(sa.Column("resolution", resolution, nullable=True))
        batch.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("resolved_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_reconciliation_items_resolved_by_id_users"), "users", ["resolved_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("reconciliation_items") as batch:
        batch.drop_constraint(batch.f("fk_reconciliation_items_resolved_by_id_users"), type_="foreignkey")
        batch.drop_column("resolved_by_id")
        batch.drop_column("resolution_note")
        batch.drop_column("resolution")
