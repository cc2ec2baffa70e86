"""Inbox queues: partial indexes of each queue's waiting rows in the inbox's order (issue 18)

Revision ID: 20261206_2240_inbox_queues
Revises: 20261206_2230_audit_list_ix
Create Date: 2026-12-06 22:40:00

The inbox reads each queue's oldest 100 (since, id) and its capped count; these queues had no index
that served that order (a sort of every waiting row, or a walk of the whole history for the jobs):
refunds awaiting approval and failed, failed webhooks, open reconciliation items, failed reports,
open job failures. ix_session_outcomes_waiting is an expression index, written by hand (named in
migrations/env.py's HAND_WRITTEN), on both PostgreSQL and SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261206_2240_inbox_queues"
down_revision = "20261206_2230_audit_list_ix"
branch_labels = None
depends_on = None

PARTIAL = [  # (table, index, since column, the queue's condition)
    ("refunds", "ix_refunds_awaiting_approval", "created_at", "status = 'pending_approval'"),
    ("refunds", "ix_refunds_failed", "created_at", "status IN ('failed', 'unknown')"),
    ("webhook_events", "ix_webhook_events_failed", "received_at", "status = 'failed'"),
    ("reconciliation_items", "ix_reconciliation_items_waiting", "found_at", "resolved_at IS NULL"),
    ("reports", "ix_reports_failed", "created_at", "status = 'failed'"),
    ("job_failures", "ix_job_failures_open", "created_at", "retried_at IS NULL"),
]
VIDEO_WAITING = (
    "CREATE INDEX ix_session_outcomes_waiting ON session_outcomes (coalesce(contested_at, decided_at), id)"
    " WHERE status IN ('awaiting_staff', 'contested')"
)


def upgrade():
    for table, name, since, where in PARTIAL:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                name, [since, "id"], unique=False, postgresql_where=sa.text(where), sqlite_where=sa.text(where)
            )
    op.execute(VIDEO_WAITING)


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_session_outcomes_waiting")
    for table, name, _since, _where in reversed(PARTIAL):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
