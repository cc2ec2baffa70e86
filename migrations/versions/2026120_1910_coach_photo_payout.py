"""coach photo and payout details

Revision ID: 2026120_1910_coach_photo_payout
Revises: 2026120_1905_refund_status_time
Create Date: 2026-12-02 18:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "2026120_1910_coach_photo_payout"
down_revision = "2026120_1905_refund_status_time"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("coach_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photo_key", sa.String(length=200), nullable=True))
    op.create_table(
        "payout_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(length=140), nullable=False),
        sa.Column("iban_encrypted", sa.Text(), nullable=False),
        sa.Column("iban_last4", sa.String(length=4), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coach_profiles.id"],
            name=op.f("fk_payout_accounts_coach_id_coach_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_accounts")),
        sa.UniqueConstraint("coach_id", name=op.f("uq_payout_accounts_coach_id")),
    )


def downgrade():
    op.drop_table("payout_accounts")
    with op.batch_alter_table("coach_profiles", schema=None) as batch_op:
        batch_op.drop_column("photo_key")
