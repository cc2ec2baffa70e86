"""`flask seed --scale N`: the documented ratios on PostgreSQL, refused on SQLite."""

from __future__ import annotations

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.seed.scale import seed_scale
from config import TestingConfig

N = 200


def _count(sql: str) -> int:
    return db.session.scalar(sa.text(sql))


def test_scale_produces_the_documented_ratios(app):
    lines = list(seed_scale(N))
    assert lines[-1].startswith("Scale data done in")
    assert any(line.startswith("  bookings:") for line in lines)
    assert _count("SELECT count(*) FROM coach_applications") == N
    assert _count("SELECT count(*) FROM coach_profiles WHERE is_active") == N // 10
    assert _count("SELECT count(*) FROM session_types") == 2 * (N // 10)
    assert _count("SELECT count(*) FROM bookings") == 10 * N
    assert _count("SELECT count(*) FROM payments") == 10 * N
    assert _count("SELECT count(*) FROM flags") == 10 * N
    assert _count("SELECT count(*) FROM moderation_items") == N
    # Most applications await a decision; some decided, some with failing checks.
    assert _count("SELECT count(*) FROM coach_applications WHERE status = 'submitted'") > N / 2
    assert _count("SELECT count(*) FROM coach_applications WHERE status IN ('approved', 'rejected')") > 0
    assert _count("SELECT count(*) FROM coach_applications WHERE has_failing_checks") > 0
    assert _count("SELECT count(DISTINCT currency) FROM payments") == 3
    # Money invariants: refunds match amount_refunded, never above the amount.
    assert _count("SELECT count(*) FROM refunds") > 0
    assert (
        _count(
            "SELECT count(*) FROM payments p WHERE amount_refunded <> "
            "COALESCE((SELECT sum(amount) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'succeeded'), 0)"
        )
        == 0
    )
    # No coach is double-booked; nothing happened in the future.
    assert (
        _count(
            "SELECT count(*) FROM bookings a JOIN bookings b ON a.coach_id = b.coach_id AND a.id < b.id "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
        )
        == 0
    )
    assert _count("SELECT count(*) FROM bookings WHERE created_at > now() OR completed_at > now()") == 0
    assert _count("SELECT count(*) FROM flags WHERE created_at > now()") == 0
    # Ten flags per item, from ten different reporters.
    assert (
        _count(
            "SELECT count(*) FROM (SELECT item_id FROM flags GROUP BY item_id HAVING count(DISTINCT reporter_id) <> 10) x"
        )
        == 0
    )
    # The sequences moved past the explicit ids: the ORM can still insert.
    assert _count("SELECT nextval(pg_get_serial_sequence('bookings', 'id'))") > 10 * N


def test_scale_runs_on_top_of_an_earlier_run(app):
    list(seed_scale(20))
    list(seed_scale(20))
    assert _count("SELECT count(*) FROM bookings") == 400
    assert _count("SELECT count(*) FROM coach_applications") == 40


def test_scale_refuses_sqlite(tmp_path):
    sqlite_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")
    with sqlite_app.app_context():  # the CLI reuses a pushed context; make it the SQLite app's
        result = sqlite_app.test_cli_runner().invoke(args=["seed", "--scale", "100"])
    assert result.exit_code != 0
    assert "needs PostgreSQL" in result.output
