"""`make bench BENCH_ARGS=--combinations`: the walker enumerates what each staff list's form offers,
and its deep cursors land where it says, on the suite's small scale data."""

from __future__ import annotations

import math
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import AuditLog
from app.extensions import db
from app.seed.scale import seed_scale
from benchmarks import combinations as walker
from tests.factories import StaffFactory

LISTS = {s.name: s for s in walker.LISTS}


def _expected_counts() -> dict[str, int]:
    """The product of the options each list offers, read from the app where the app names them;
    the literals are the options written only in the templates (refunded, disputed, checks, assignee,
    hidden, sort)."""
    from app.community.models import Group
    from app.moderation.models import FlagReason, ItemStatus, TargetType
    from app.payments.models import PaymentStatus
    from app.verification.models import CertificationLevel
    from app.verification.queries import AGE_FILTERS, STATUS_FILTERS, reviewers

    has_group = min(1, db.session.scalar(sa.select(sa.func.count()).select_from(Group)))
    finance_texts = ["q", "coach", "client", "amount_min", "amount_max", "date_to"]
    return {
        "finance": (1 + len(PaymentStatus)) * 5 * 2 * 2 * (1 + 2 * len(finance_texts)),  # x From: 30 days, all time
        "verification": len(STATUS_FILTERS) * (1 + len(CertificationLevel)) * 4 * len(AGE_FILTERS)
        * (3 + min(1, len(reviewers()))) * 2,
        "moderation": len(ItemStatus) * (1 + len(FlagReason)) * (1 + len(TargetType)) * (1 + has_group) * 3 * 3 * 2,
        "users": (1 + len(Role)) * (1 + 2),
        "audit": 1 + 4 * 2,
        "inbox": 1,
    }  # fmt: skip


@pytest.fixture
def scale_data(app):
    list(seed_scale(100))
    staff = {role: StaffFactory(roles=[Role(role)]) for role in ("finance", "verifier", "moderator", "admin")}
    admin = staff["admin"]
    db.session.add_all(
        AuditLog(actor_id=admin.id, action=f"bench.{i % 3}", object_type="users", object_id=str(i)) for i in range(120)
    )
    db.session.commit()
    return staff


def _get(client):
    def get(path: str):
        resp = client.get(path)
        return resp.status_code, resp.get_data(as_text=True), dict(resp.headers)

    return get


def _fetch_one(sql: str):
    return db.session.execute(sa.text(sql.replace(":", r"\:"))).scalar()


def _context(user) -> walker.Context:
    return walker.Context(user, ZoneInfo(user.timezone), utcnow())


def test_the_walk_covers_every_option_each_list_offers(app, client, login_as, scale_data):
    expected = _expected_counts()
    for staff_list in walker.LISTS:
        login_as(scale_data[staff_list.role])
        status, html, _ = _get(client)(staff_list.path)
        assert status == 200, staff_list.name
        crossed, texts = walker.dimensions(staff_list, html)
        combos = walker.combinations(crossed, walker.terms(staff_list, texts, _fetch_one))
        assert len(combos) == expected[staff_list.name], (staff_list.name, {k: len(v) for k, v in crossed.items()})
        assert len({walker.with_args(staff_list.path, c) for c in combos}) == len(combos), staff_list.name
    assert sum(expected.values()) > 4000


def test_free_text_terms_match_and_miss(app, client, login_as, scale_data):
    """Each free-text field's first term finds rows on page 1, its second finds none."""
    for name in ("finance", "users", "audit"):
        staff_list = LISTS[name]
        login_as(scale_data[staff_list.role])
        _, html, _ = _get(client)(staff_list.path)
        _, texts = walker.dimensions(staff_list, html)
        base = {"date_from": ""} if name == "finance" else {}
        for field, (hit, miss) in walker.terms(staff_list, texts, _fetch_one).items():
            found = walker.row_ids(staff_list, client.get(walker.with_args(staff_list.path, {**base, field: hit})).text)
            none = walker.row_ids(staff_list, client.get(walker.with_args(staff_list.path, {**base, field: miss})).text)
            assert (bool(found), none) == (True, []), (name, field, hit, miss)


def test_a_new_free_text_filter_stops_the_walk():
    html = '<form method="get" class="filters"><input name="q"><input name="colour" type="text"></form>'
    with pytest.raises(ValueError, match="colour"):
        walker.dimensions(LISTS["users"], html)


def _ids(staff_list, args, ctx, limit):
    order = staff_list.statement(args, ctx)
    sort = [c.desc() if order.descending else c.asc() for c in order.columns]
    return list(db.session.scalars(order.stmt.with_only_columns(order.columns[-1]).order_by(*sort).limit(limit)))


@pytest.mark.parametrize("name", ["finance", "verification", "moderation", "users", "audit"])
def test_deep_cursors_open_their_row_and_first_pages_match_the_walkers_statement(
    app, client, login_as, scale_data, name
):
    """Page 1 shows the rows the walker's statement gives under that filter, and each deep cursor's
    page answers 200 starting at the row the walker computed (a page size in, on this small data)."""
    staff_list = LISTS[name]
    me = scale_data[staff_list.role]
    login_as(me)
    _, html, _ = _get(client)(staff_list.path)
    crossed, texts = walker.dimensions(staff_list, html)
    combos = walker.combinations(crossed, walker.terms(staff_list, texts, _fetch_one))
    ctx = _context(me)
    deep_seen = 0
    for args in combos[:: max(1, math.ceil(len(combos) / 40))]:
        page = client.get(walker.with_args(staff_list.path, args))
        assert page.status_code == 200, args
        assert walker.row_ids(staff_list, page.text) == _ids(staff_list, args, ctx, staff_list.page_size), args
        deep = walker.deep_page(staff_list, args, ctx, depth=staff_list.page_size)
        if deep is None:
            continue
        cursor, start, first_id = deep
        resp = client.get(walker.with_args(staff_list.path, {**args, "after": cursor}))
        assert resp.status_code == 200, args
        shown = walker.row_ids(staff_list, resp.text)
        assert (start, shown[:1]) == (staff_list.page_size, [first_id]), args
        assert shown == _ids(staff_list, args, ctx, 2 * staff_list.page_size)[start:], args
        deep_seen += 1
    assert deep_seen >= 1, f"no sampled {name} combination reached a second page"


def test_a_shorter_list_goes_to_its_last_page_and_one_page_has_none(app, scale_data):
    audit = LISTS["audit"]
    ctx = _context(scale_data["admin"])
    ids = sorted(db.session.scalars(sa.select(AuditLog.id)), reverse=True)  # 120 and the seed's own
    cursor, start, first_id = walker.deep_page(audit, {}, ctx, depth=500 * 50)
    assert (start, first_id) == ((len(ids) - 1) // 50 * 50, ids[(len(ids) - 1) // 50 * 50])
    assert start >= 100
    assert walker.deep_page(audit, {"action": "bench.1"}, ctx, depth=500 * 50) is None  # 40 rows, one page
    assert urllib.parse.quote(cursor) == cursor  # URL-safe as it stands


def test_the_walk_requests_each_target_and_checks_where_deep_pages_start(app, client, login_as, scale_data):
    audit = LISTS["audit"]
    login_as(scale_data["admin"])
    timed = walker.walk(audit, _get(client), _context(scale_data["admin"]), _fetch_one, samples=1, depth=50)
    deep = [t for t in timed if t.page.startswith("deep")]
    assert len(timed) - len(deep) == 9 and deep
    assert [(t.status, t.wrong_start) for t in timed if (t.status, t.wrong_start) != (200, False)] == []
    assert all(t.page1_p50 is not None for t in deep)
    again = walker.time_again(timed[:2], {"audit": _get(client)})
    assert [(a.path, len(b.path)) for a, b in again] == [(t.path, len(t.path)) for t in timed[:2]]
    report = walker.report(timed, ["test"], again)
    assert "| audit | " in report and "The slowest ten" in report and "The 2 slowest by p50 timed again" in report
