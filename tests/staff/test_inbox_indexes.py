"""Every inbox queue's key query reads an index in the inbox's order (PostgreSQL EXPLAIN): its oldest
rows come from an index scan that stops at the LIMIT, never a sort of every waiting row, and its
count from an index too (issue 18: the inbox must stay fast however long the queues grow)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.extensions import db
from app.staff.inbox import QUEUES, ROWS

NAMES = ("verification", "moderation", "refund_approvals", "failed_refunds", "failed_webhooks", "reconciliation",
         "video_sessions", "failed_reports", "failed_jobs")  # fmt: skip
FULL_SORT = re.compile(r"(?<!Incremental )Sort\b")  # an incremental sort only orders ties of `since` by id


def _plan(stmt: sa.Select) -> str:
    """EXPLAIN with sequential and bitmap scans priced out: on the suite's few rows a scan and a sort of
    everything win; an ordered index scan is what the scale data needs."""
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
    plan = "\n".join(db.session.execute(sa.text("EXPLAIN " + sql)).scalars())
    db.session.rollback()
    return plan


def test_every_queue_is_checked(app):
    assert set(QUEUES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_queues_oldest_rows_and_count_read_an_index(app, name):
    keys = QUEUES[name].keys()
    c = keys.rows.selected_columns
    head = _plan(keys.rows.order_by(c.since, c.id).limit(ROWS))
    assert "Index" in head and not FULL_SORT.search(head), head
    count = _plan(sa.select(keys.count))
    assert "Index" in count, count
