"""payments and users: indexes for the finance amount limits and the e-mail searches (issue 20)

Revision ID: 20261206_2200_amount_email_ix
Revises: 20261204_2040_bookings_ends_at
Create Date: 2026-12-06 22:00:00

PostgreSQL only, written by hand (autogenerate cannot express them; migrations/env.py's HAND_WRITTEN
names them):
- ix_payments_amount_scaled: the amount in ten-thousandths of its currency's major unit, the
  expression app.core.db.scaled_amount_sql writes (keep the two identical), so a typed amount limit
  is one index range in every currency. It replaces ix_payments_amount on the bare amount, which
  the per-currency conversion could not use.
- ix_users_email_prefix: lower(email) with text_pattern_ops, for the finance filters' "e-mail starts
  with" lookups (LIKE 'abc%').
- ix_users_email_trgm, ix_users_last_name_trgm: trigram GIN indexes (pg_trgm) for the users list's
  "contains" search (ILIKE '%abc%').
"""

from alembic import op

revision = "20261206_2200_amount_email_ix"
down_revision = "20261204_2040_bookings_ends_at"
branch_labels = None
depends_on = None

SCALED = (
    "(amount * CASE"
    " WHEN currency IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI',"
    " 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 10000"
    " WHEN currency IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 10"
    " WHEN currency IN ('CLF', 'UYW') THEN 1"
    " ELSE 100 END)"
)


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_amount")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_payments_amount_scaled ON payments ({SCALED})")
    op.execute("CREATE INDEX ix_users_email_prefix ON users (lower(email) text_pattern_ops)")
    op.execute("CREATE INDEX ix_users_email_trgm ON users USING gin (email gin_trgm_ops)")
    op.execute("CREATE INDEX ix_users_last_name_trgm ON users USING gin (last_name gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in (
            "ix_users_last_name_trgm",
            "ix_users_email_trgm",
            "ix_users_email_prefix",
            "ix_payments_amount_scaled",
        ):
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_amount", ["amount"], unique=False)
