"""payments: partial indexes for the finance list's disputed and refunded filters (issue 20)

Revision ID: 20261204_2030_payments_partial
Revises: 20261204_2010_push_subscriptions
Create Date: 2026-12-04 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_2030_payments_partial"
down_revision = "20261204_2010_push_subscriptions"
branch_labels = None
depends_on = None

INCLUDE = ["currency", "status", "amount", "amount_refunded"]
PARTIAL = {"ix_payments_disputed": "is_disputed", "ix_payments_refunded": "amount_refunded > 0"}


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        for name, where in PARTIAL.items():
            batch_op.create_index(
                name,
                ["created_at", "id"],
                unique=False,
                postgresql_include=INCLUDE,
                postgresql_where=sa.text(where),
                sqlite_where=sa.text(where),
            )


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        for name in PARTIAL:
            batch_op.drop_index(name)
