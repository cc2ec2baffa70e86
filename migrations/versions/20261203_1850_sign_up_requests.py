"""sign_up_requests: sign-ups kept by typed address and client address, to throttle them

Revision ID: 20261203_1850_sign_up_requests
Revises: 20261203_1830_recon_resolution
Create Date: 2026-12-03 18:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1850_sign_up_requests"
down_revision = "20261203_1830_recon_resolution"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_up_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_up_requests")),
    )
    op.create_index("ix_sign_up_requests_email_created", "sign_up_requests", ["email", "created_at"])
    op.create_index("ix_sign_up_requests_ip_created", "sign_up_requests", ["ip_address", "created_at"])


def downgrade():
    op.drop_index("ix_sign_up_requests_ip_created", table_name="sign_up_requests")
    op.drop_index("ix_sign_up_requests_email_created", table_name="sign_up_requests")
    op.drop_table("sign_up_requests")
