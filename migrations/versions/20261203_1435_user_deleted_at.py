"""Accounts closed by their owner: when the user row became a tombstone

Revision ID: 20261203_1435_user_deleted_at
Revises: 20261203_1445_moderation_all
Create Date: 2026-12-03 14:35:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1435_user_deleted_at"
down_revision = "20261203_1445_moderation_all"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
