"""`make bench`'s page list: every page's parameters and raw SQL run on a scale data set."""

from __future__ import annotations

import string

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
