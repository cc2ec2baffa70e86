"""The finance list's disputed and refunded filters read their partial indexes (issue 20: on the scale
data they scanned every payment of the window: disputed=yes over all time was 102 ms at N=20,000)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.extensions import db
from app.payments import queries
from app.payments.models import Payment
from tests.factories.payments import PaidPaymentFactory


def _plan(args: dict) -> str:
    """EXPLAIN of the list's first page under the filter, sequential scans priced out (the suite's
    tables are small enough for one to win otherwise)."""
    zone = ZoneInfo("UTC")
    f = queries.PaymentFilters.from_args(args, zone)
    stmt = queries.apply_filters(sa.select(Payment.id), f, zone)
    stmt = stmt.order_by(Payment.created_at.desc(), Payment.id.desc()).limit(51)
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.execute(sa.text("EXPLAIN " + sql)).scalars())
    db.session.rollback()
    return plan


@pytest.mark.parametrize(
    ("args", "index"),
    [
        ({"date_from": "", "disputed": "yes"}, "ix_payments_disputed"),
        ({"date_from": "", "refunded": "yes"}, "ix_payments_refunded"),
        ({"date_from": "", "refunded": "partly"}, "ix_payments_refunded"),
        ({"date_from": "", "refunded": "full"}, "ix_payments_refunded"),
    ],
    ids=lambda v: v if isinstance(v, str) else "&".join(f"{k}={x}" for k, x in v.items()),
)
def test_rare_filters_read_their_partial_index(app, args, index):
    PaidPaymentFactory()
    assert index in _plan(args)


def test_fully_refunded_still_means_every_cent_back(app, client, login_as):
    from app.accounts.models import Role
    from tests.factories import StaffFactory

    full, part, none = PaidPaymentFactory(), PaidPaymentFactory(), PaidPaymentFactory()
    full.amount_refunded, part.amount_refunded = full.amount, 1
    db.session.commit()
    login_as(StaffFactory(roles=[Role.FINANCE]))
    shown = {
        kind: client.get(f"/staff/finance/?date_from=&refunded={kind}").get_data(as_text=True)
        for kind in ("full", "partly", "no")
    }
    marks = {p: f'/staff/finance/payments/{p.id}"' for p in (full, part, none)}
    assert [marks[p] in shown["full"] for p in (full, part, none)] == [True, False, False]
    assert [marks[p] in shown["partly"] for p in (full, part, none)] == [False, True, False]
    assert [marks[p] in shown["no"] for p in (full, part, none)] == [False, False, True]
