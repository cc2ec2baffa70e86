"""`make bench`'s page list: every page's parameters and raw SQL run on a scale data set."""

from __future__ import annotations

import string

import psycopg
import pytest

from app.extensions import db
from app.seed.scale import seed_scale
from benchmarks.pages import PAGES


def test_page_names_are_unique():
    names = [p.name for p in PAGES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("page", [p for p in PAGES if p.target_p95_ms], ids=lambda p: p.name)
def test_hot_pages_carry_their_issue_targets(page):
    assert page.target_p95_ms in (50, 100, 300)


def test_every_raw_sql_runs_and_fills_its_path(app):
    list(seed_scale(100))
    db.session.commit()
    raw = db.session.connection().connection.driver_connection  # psycopg, as benchmarks/run.py uses
    for page in PAGES:
        params = {}
        if page.params:
            cur = raw.execute(page.params)
            row = cur.fetchone()
            assert row is not None, page.name
            params = dict(zip([c.name for c in cur.description], row, strict=True))
        fields = {name for _, name, _, _ in string.Formatter().parse(page.path) if name}
        assert fields <= set(params), page.name
        page.path.format(**params)
        raw.execute(page.sql, params or None).fetchall()


def test_every_stock_comparison_answers_on_both_sides(app, client, login_as, monkeypatch):
    """benchmarks/versus.py's pairs: our list (as its role) and the stock Flask-Admin both answer 200,
    with the deep cursor and page computed the way the benchmark does."""
    from app.core.roles import Role
    from benchmarks import stock_admin, versus
    from tests.factories import StaffFactory

    list(seed_scale(100))
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
    monkeypatch.setenv("BENCH_DATABASE_URL", url)
    stock_app = stock_admin.create_app()
    stock = stock_app.test_client()
    staff = {role: StaffFactory(roles=[Role(role)]) for role in {p.role for p in versus.PAIRS}}
    answers = []
    # The benchmark's own connection, as versus.py opens it: a connection borrowed from the app's
    # pool goes back to it when a request ends, and the pool may close it.
    with psycopg.connect(url, autocommit=True) as raw:
        for pair in versus.PAIRS:
            cursor, page = versus._deep(raw, pair.cursor_sql) if pair.cursor_sql else ("", 0)
            login_as(staff[pair.role])
            ours = client.get(pair.ours.format(cursor=cursor)).status_code
            answers.append((pair.list_name, pair.variant, ours, stock.get(pair.stock.format(page=page)).status_code))
    with stock_app.app_context():
        db.engine.dispose()  # the yardstick's own connection pool
    assert [a for a in answers if a[2:] != (200, 200)] == []


def test_the_plan_check_names_only_big_sequential_scans():
    from benchmarks.plans import seq_scans

    big = {"payments": 1e6}
    full = {"Node Type": "Seq Scan", "Relation Name": "payments", "Actual Rows": 20, "Rows Removed by Filter": 999_980}
    paged = {"Node Type": "Limit", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "payments", "Actual Rows": 50}]}
    small = {"Node Type": "Seq Scan", "Relation Name": "settings", "Actual Rows": 500_000}
    assert seq_scans({"Node Type": "Sort", "Plans": [full, paged, small]}, big) == ["payments (1,000,000 rows read)"]
