"""Analytics benchmark: a year of scale data (1M bookings and payments), the staff analytics page's
server time (p50/p95 per chart group, live and from rollups) and a month's report build time.

    python -m benchmarks.analytics [--database cc_bench_analytics] [--bookings 1000000] [--no-seed]

Uses a scratch PostgreSQL database (dropped and recreated unless --no-seed) on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from datetime import date, timedelta

import sqlalchemy as sa

log = logging.getLogger("benchmarks.analytics")

SEED_SQL = """
INSERT INTO users (id, email, first_name, last_name, timezone, is_enabled, created_at, updated_at)
SELECT g, 'u' || g || '@bench.test', 'F' || g, 'L', 'UTC', true, now(), now() FROM generate_series(1, 20000) g;
INSERT INTO user_roles (user_id, role, granted_at) VALUES (20000, 'admin', now());
UPDATE users SET timezone = 'Europe/Berlin', totp_secret = 'BENCHBENCHBENCHB', totp_enabled_at = now() WHERE id = 20000;
INSERT INTO coach_profiles (id, user_id, headline, bio, timezone, certification_level, ipec_number, years_experience,
  hourly_rate_amount, currency, is_active, buffer_minutes, min_notice_hours, horizon_days, client_cancel_notice_hours,
  rating_count, created_at, updated_at)
SELECT g, g, 'h', 'b', 'UTC', CASE WHEN g % 4 = 0 THEN 'master' ELSE 'professional' END, 'B' || g, 1, 10000,
  CASE WHEN g % 3 = 0 THEN 'USD' ELSE 'EUR' END, true, 15, 24, 60, 24, 0, now(), now() FROM generate_series(1, 200) g;
INSERT INTO session_types (id, coach_id, name, duration_minutes, price_amount, currency, is_active)
SELECT g, g, 's', 60, 10000, CASE WHEN g % 3 = 0 THEN 'USD' ELSE 'EUR' END, true FROM generate_series(1, 200) g;
INSERT INTO bookings (id, client_id, coach_id, session_type_id, starts_at, ends_at, status, amount, currency, notes,
  created_at, updated_at, confirmed_at, completed_at, cancelled_at)
SELECT g, 201 + g % 19000, 1 + g % 200, 1 + g % 200, ts + interval '3 days', ts + interval '3 days 1 hour',
  CASE WHEN g % 10 = 0 THEN 'cancelled' WHEN g % 3 = 0 THEN 'completed' ELSE 'confirmed' END,
  10000, CASE WHEN (1 + g % 200) % 3 = 0 THEN 'USD' ELSE 'EUR' END, '', ts, ts, ts,
  CASE WHEN g % 3 = 0 AND g % 10 <> 0 THEN ts + interval '3 days' END,
  CASE WHEN g % 10 = 0 THEN ts + interval '1 day' END
FROM (SELECT g, now() - (g * (interval '1 year' / :n)) AS ts FROM generate_series(1, :n) g) s;
INSERT INTO payments (id, booking_id, client_id, coach_id, amount, currency, amount_refunded, status, gateway,
  idempotency_key, is_disputed, created_at, updated_at, succeeded_at)
SELECT id, id, client_id, coach_id, amount, currency, CASE WHEN id % 25 = 0 THEN 2500 ELSE 0 END,
  CASE WHEN id % 40 = 0 THEN 'failed' ELSE 'succeeded' END, 'offline', 'k' || id, id % 997 = 0, created_at,
  created_at, CASE WHEN id % 40 = 0 THEN NULL ELSE created_at END FROM bookings;
INSERT INTO refunds (payment_id, amount, currency, reason, note, status, idempotency_key, created_at, updated_at,
  succeeded_at)
SELECT id, 2500, currency, 'goodwill', '', 'succeeded', 'r' || id, created_at + interval '1 hour', created_at,
  created_at + interval '1 hour' FROM payments WHERE id % 25 = 0 AND status = 'succeeded'
"""

PAGES = {
    "bookings 30 days": "/staff/analytics/?group=Bookings",
    "money 30 days": "/staff/analytics/?group=Money",
    "money year by week": "/staff/analytics/?group=Money&from={year_ago}&to={today}&granularity=week",
    "bookings year by month, level filter (live)": "/staff/analytics/?group=Bookings&from={year_ago}&to={today}"
    "&granularity=month&level=master",
    "funnel": "/staff/analytics/?group=Funnel",
    "clients (retention cohorts)": "/staff/analytics/?group=Clients",
}


def _seed(url: str, bookings: int) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    from flask_migrate import upgrade

    from app import create_app
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in filter(str.strip, SEED_SQL.split(";")):
            conn.execute(sa.text(statement), {"n": bookings} if ":n" in statement else {})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    log.info("seeded %s bookings and payments in %.0f s", bookings, time.perf_counter() - started)


def _timings(client, url: str, runs: int) -> dict:
    client.get(url)  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get(url).status_code == 200, url
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times)), "p95_ms": round(times[max(0, round(len(times) * 0.95) - 1)])}


def run(url: str, runs: int = 20) -> dict:
    """Page timings before and after the rollups, the rollup refreshes and each report's build for last month."""
    from app import create_app
    from app.analytics.models import Report
    from app.analytics.reports_service import build_report
    from app.analytics.rollups import refresh_rollups
    from app.core.jobs import InlineJobs
    from app.extensions import db
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, ANALYTICS_ROLLUP_TIMEZONES="Europe/Berlin")
    app.extensions["jobs"] = InlineJobs()
    today = date.today()
    values = {"today": today.isoformat(), "year_ago": (today - timedelta(days=364)).isoformat()}
    results: dict = {}
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = "20000", True
    with app.app_context():
        db.session.execute(sa.delete(Report))
        db.session.execute(sa.text("DELETE FROM daily_rollups"))
        db.session.commit()
        results["live"] = {name: _timings(client, page.format(**values), runs) for name, page in PAGES.items()}
        started = time.perf_counter()
        refresh_rollups(days=400)
        results["rollup_full_refresh_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        refresh_rollups()
        results["rollup_incremental_refresh_s"] = round(time.perf_counter() - started, 2)
        results["with_rollups"] = {name: _timings(client, page.format(**values), runs) for name, page in PAGES.items()}
        month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        for kind in ("finance", "verification", "moderation"):
            report = Report(kind=kind, period=month)
            db.session.add(report)
            db.session.commit()
            started = time.perf_counter()
            build_report(report.id)
            results[f"report_{kind}_{month}_s"] = round(time.perf_counter() - started, 2)
    return results


def main() -> None:
    """Seed (unless --no-seed), measure, and log the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="cc_bench_analytics")
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    url = f"postgresql://postgres@127.0.0.1:5432/{args.database}"
    if not args.no_seed:
        _seed(url, args.bookings)
    log.info("analytics benchmark: %s", json.dumps(run(url, args.runs), indent=2))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
