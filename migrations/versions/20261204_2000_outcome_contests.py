"""session_outcomes: who contested an outcome, when and why (issue 14)

Revision ID: 20261204_2000_outcome_contests
Revises: 20261204_1950_video_rooms
Create Date: 2026-12-04 18:49:19

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_2000_outcome_contests"
down_revision = "20261204_1950_video_rooms"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("session_outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contested_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("contested_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("contest_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_session_outcomes_contested_by_id_users"), "users", ["contested_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("session_outcomes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_session_outcomes_contested_by_id_users"), type_="foreignkey")
        batch_op.drop_column("contest_reason")
        batch_op.drop_column("contested_at")
        batch_op.drop_column("contested_by_id")
