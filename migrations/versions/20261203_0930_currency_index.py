"""Coach search: an index for the currencies listed coaches charge in

Revision ID: 20261203_0930_currency_index
Revises: 20261203_0905_ics_sequence
Create Date: 2026-12-03 09:30:00

"""

from alembic import op

revision = "20261203_0930_currency_index"
down_revision = "20261203_0905_ics_sequence"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("coach_profiles", schema=None) as batch_op:
        batch_op.create_index("ix_coach_profiles_active_currency", ["is_active", "currency"], unique=False)


def downgrade():
    with op.batch_alter_table("coach_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_coach_profiles_active_currency")
