"""API tokens: scopes and an expiry date (existing tokens: read and write, 90 days after creation)

Revision ID: 20261203_1440_token_scopes
Revises: 20261203_1435_user_deleted_at
Create Date: 2026-12-03 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1440_token_scopes"
down_revision = "20261203_1435_user_deleted_at"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(length=255), server_default="read write", nullable=False))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE api_tokens SET expires_at = created_at + interval '90 days'")
    else:
        op.execute("UPDATE api_tokens SET expires_at = datetime(created_at, '+90 days')")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scopes")
