"""Moderation queue: indexes for the 'all' tab (every status) in both sort orders

Revision ID: 20261203_1445_moderation_all
Revises: 20261203_1420_oidc_identities
Create Date: 2026-12-03 14:45:00

"""

from alembic import op

revision = "20261203_1445_moderation_all"
down_revision = "20261203_1420_oidc_identities"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("moderation_items", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_items_all_priority", ["priority", "id"], unique=False)
        batch_op.create_index("ix_moderation_items_all_age", ["first_flagged_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("moderation_items", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_items_all_age")
        batch_op.drop_index("ix_moderation_items_all_priority")
