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
from tests.sql_log import plans_of_request


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


@pytest.mark.parametrize(
    ("args", "index"),
    [
        ({"date_from": "", "amount_min": "5000"}, "ix_payments_amount_scaled"),
        ({"date_from": "", "amount_min": "20", "amount_max": "25.5"}, "ix_payments_amount_scaled"),
    ],
    ids=lambda v: v if isinstance(v, str) else "&".join(f"{k}={x}" for k, x in v.items()),
)
def test_amount_limits_read_the_scaled_index(app, args, index):
    """One range in every currency (at N=20,000 the per-currency conversion read every payment)."""
    PaidPaymentFactory()
    assert index in _plan(args)


def test_email_filters_read_the_prefix_index_once_per_request(app, client, login_as):
    """ "E-mail starts with" (client, coach and free-text filters) goes through ix_users_email_prefix,
    asked once for the page and its totals together (it was a sequential scan of users, twice)."""
    from app.accounts.models import Role
    from tests.factories import StaffFactory, UserFactory

    ann = UserFactory(email="ann_lee@example.com")
    mine, other = PaidPaymentFactory(booking__client=ann), PaidPaymentFactory()
    db.session.commit()
    login_as(StaffFactory(roles=[Role.FINANCE]))
    page = client.get("/staff/finance/?date_from=&client=ANN_").get_data(as_text=True)
    assert f'/staff/finance/payments/{mine.id}"' in page and f'/staff/finance/payments/{other.id}"' not in page
    plans = plans_of_request(client, "/staff/finance/?date_from=&client=ann_", "lower(users.email) LIKE")
    assert len(plans) == 1 and "ix_users_email_prefix" in plans[0], plans


def test_users_search_reads_the_trigram_indexes(app, client, login_as):
    from app.accounts.models import Role
    from tests.factories import StaffFactory

    login_as(StaffFactory(roles=[Role.ADMIN]))
    plans = plans_of_request(client, "/staff/users?q=nn_le", "ILIKE")
    assert plans and all("ix_users_email_trgm" in p and "ix_users_last_name_trgm" in p for p in plans), plans
