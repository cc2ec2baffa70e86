"""Refunds: when the provider last set the status (events older than that do not move it)

Revision ID: 2026120_1905_refund_status_time
Revises: 2026120_1900_document_text
Create Date: 2026-12-02 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "2026120_1905_refund_status_time"
down_revision = "2026120_1900_document_text"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("provider_status_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("provider_status_at")
