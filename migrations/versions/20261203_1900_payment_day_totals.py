"""payment_day_totals: the finance list's totals per UTC day, currency and status, kept by a trigger

Revision ID: 20261203_1900_payment_day_totals
Revises: 20261203_1850_sign_up_requests
Create Date: 2026-12-03 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1900_payment_day_totals"
down_revision = "20261203_1850_sign_up_requests"
branch_labels = None
depends_on = None

STATUSES = ("requires_payment", "requires_action", "processing", "succeeded", "failed", "cancelled")

# One statement-level trigger per INSERT and UPDATE of payments (payments are never deleted): the
# change to any payment created before payment_rollup_state.rolled_until is added to its day's row
# in the same transaction. The shared advisory lock pairs with the exclusive one the roll-up takes
# (app/payments/day_totals.py, LOCK_KEY), so no payment is rolled up while a change to it is in flight.
APPLY = """
CREATE FUNCTION payment_day_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE upto timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(7020301);
  SELECT rolled_until INTO upto FROM payment_rollup_state WHERE id = 1;
  IF upto IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO payment_day_totals AS t (day, currency, status, payment_count, amount_total, refunded_total)
    SELECT (created_at AT TIME ZONE 'UTC')::date, currency, status, count(*), sum(amount), sum(amount_refunded)
      FROM new_rows WHERE created_at < upto GROUP BY 1, 2, 3
    ON CONFLICT (day, currency, status) DO UPDATE SET
      payment_count = t.payment_count + excluded.payment_count,
      amount_total = t.amount_total + excluded.amount_total,
      refunded_total = t.refunded_total + excluded.refunded_total;
  ELSE
    INSERT INTO payment_day_totals AS t (day, currency, status, payment_count, amount_total, refunded_total)
    SELECT day, currency, status, sum(n), sum(a), sum(r) FROM (
        SELECT (created_at AT TIME ZONE 'UTC')::date AS day, currency, status, 1 AS n, amount AS a, amount_refunded AS r
          FROM new_rows WHERE created_at < upto
        UNION ALL
        SELECT (created_at AT TIME ZONE 'UTC')::date, currency, status, -1, -amount, -amount_refunded
          FROM old_rows WHERE created_at < upto
      ) AS delta
     GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(a) <> 0 OR sum(r) <> 0
    ON CONFLICT (day, currency, status) DO UPDATE SET
      payment_count = t.payment_count + excluded.payment_count,
      amount_total = t.amount_total + excluded.amount_total,
      refunded_total = t.refunded_total + excluded.refunded_total;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER payment_day_totals_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payment_day_totals_apply();
CREATE TRIGGER payment_day_totals_update AFTER UPDATE ON payments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payment_day_totals_apply();
"""


def upgrade():
    op.create_table(
        "payment_day_totals",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="paymentstatus", native_enum=False, length=32), nullable=False),
        sa.Column("payment_count", sa.BigInteger(), nullable=False),
        sa.Column("amount_total", sa.BigInteger(), nullable=False),
        sa.Column("refunded_total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "currency", "status", name=op.f("pk_payment_day_totals")),
    )
    op.create_table(
        "payment_rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rolled_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_rollup_state")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPLY)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER payment_day_totals_update ON payments")
        op.execute("DROP TRIGGER payment_day_totals_insert ON payments")
        op.execute("DROP FUNCTION payment_day_totals_apply()")
    op.drop_table("payment_rollup_state")
    op.drop_table("payment_day_totals")
