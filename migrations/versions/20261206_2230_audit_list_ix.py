"""audit_log: the list's action and actor filters indexed in the list's order (id), not created_at

Revision ID: 20261206_2230_audit_list_ix
Revises: 20261206_2200_amount_email_ix
Create Date: 2026-12-06 22:30:00

/staff/audit pages by id (newest first); an index ending in created_at made PostgreSQL read every
row of the action or actor and sort them for each page.
"""

from alembic import op

revision = "20261206_2230_audit_list_ix"
down_revision = "20261206_2200_amount_email_ix"
branch_labels = None
depends_on = None

RENAMED = {
    "ix_audit_log_actor_created": ("ix_audit_log_actor_id", ["actor_id", "id"], ["actor_id", "created_at"]),
    "ix_audit_log_action_created": ("ix_audit_log_action_id", ["action", "id"], ["action", "created_at"]),
}


def upgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for old, (new, columns, _) in RENAMED.items():
            batch_op.create_index(new, columns, unique=False)
            batch_op.drop_index(old)


def downgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for old, (new, _, columns) in RENAMED.items():
            batch_op.create_index(old, columns, unique=False)
            batch_op.drop_index(new)
