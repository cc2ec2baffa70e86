"""Certificate checks: the job's state on the application; a flattened copy of risky PDFs

Revision ID: 2026120_1815_checks_state
Revises: 0001
Create Date: 2026-12-02 18:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "2026120_1815_checks_state"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("coach_applications") as batch:
        batch.add_column(sa.Column("checks_state", sa.String(length=32), server_default="pending", nullable=False))
        batch.add_column(sa.Column("checks_started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("checks_finished_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("application_documents") as batch:
        batch.add_column(sa.Column("safe_copy_key", sa.String(length=255), nullable=True))
    # Applications whose checks have results already ran them.
    op.execute(
        "UPDATE coach_applications SET checks_state = 'done' "
        "WHERE id IN (SELECT application_id FROM certificate_checks)"
    )


def downgrade():
    with op.batch_alter_table("application_documents") as batch:
        batch.drop_column("safe_copy_key")
    with op.batch_alter_table("coach_applications") as batch:
        batch.drop_column("checks_finished_at")
        batch.drop_column("checks_started_at")
        batch.drop_column("checks_state")
