"""`python -m benchmarks.versus`: each staff list against a stock Flask-Admin over the same table.

Run after `python -m benchmarks.run` (it reuses the seeded BENCH_DATABASE_URL). Serves the app
(gunicorn, 2 workers, instrumented) and benchmarks/stock_admin.py (gunicorn, 2 workers) on the same
database and, for every list, times four requests on both with the same client and sample count:
the first page, page 2000 (20 rows a page: row 39,981, or the last page of a shorter list; for our
keyset lists the cursor of the same row), a status filter and a text search. Server time (X-Server-Time-ms), p50 of K requests;
the ratio is stock / ours (the issue's target: at least 10x). Writes benchmarks/results/versus.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime

import psycopg

from app.core.pagination import encode_cursor
from benchmarks.http import Session
from benchmarks.page import Page
from benchmarks.run import ROOT, _conninfo, _free_port, _load, _session_for, serve, wait_until_up

log = logging.getLogger("benchmarks")
RESULTS = ROOT / "benchmarks" / "results" / "versus.md"
DEPTH = 39_980  # page 2000 of 20 rows, 0-based offset of its first row


@dataclass
class Pair:
    """One request on our list and its stock equivalent; `cursor_sql` gives our keyset cursor's values."""

    list_name: str
    variant: str
    role: str
    ours: str
    stock: str
    cursor_sql: str = ""  # "SELECT <sort key> FROM <table> [WHERE ...] ORDER BY <sort key>" of our list


ALL_TIME = "date_from="  # the finance list opens on 30 days; the stock admin shows all time
PAIRS = [
    Pair("finance", "first page", "finance", f"/staff/finance/?{ALL_TIME}", "/stock/payment/"),
    Pair("finance", "page 2000", "finance", f"/staff/finance/?{ALL_TIME}&after={{cursor}}", "/stock/payment/?page={page}",
         "SELECT created_at, id FROM payments ORDER BY created_at DESC, id DESC"),
    Pair("finance", "status filter", "finance", f"/staff/finance/?{ALL_TIME}&status=failed", "/stock/payment/?flt0_0=FAILED"),
    Pair("finance", "text search", "finance", f"/staff/finance/?{ALL_TIME}&q=kaur", "/stock/payment/?search=kaur"),
    Pair("verification", "first page", "verifier", "/staff/verification/", "/stock/coachapplication/"),
    Pair("verification", "page 2000", "verifier", "/staff/verification/?after={cursor}", "/stock/coachapplication/?page={page}",
         "SELECT submitted_at, id FROM coach_applications WHERE status = 'submitted' AND submitted_at IS NOT NULL "
         "ORDER BY submitted_at, id"),
    Pair("verification", "status filter", "verifier", "/staff/verification/?status=info_requested",
         "/stock/coachapplication/?flt0_0=INFO_REQUESTED"),
    Pair("moderation", "first page", "moderator", "/staff/moderation/", "/stock/moderationitem/"),
    Pair("moderation", "page 2000", "moderator", "/staff/moderation/?status=all&after={cursor}",
         "/stock/moderationitem/?page={page}", "SELECT priority, id FROM moderation_items ORDER BY priority DESC, id DESC"),
    Pair("moderation", "status filter", "moderator", "/staff/moderation/?status=kept", "/stock/moderationitem/?flt0_0=KEPT"),
    Pair("users", "first page", "admin", "/staff/users", "/stock/user/"),
    Pair("users", "page 2000", "admin", "/staff/users?after={cursor}", "/stock/user/?page={page}",
         "SELECT id FROM users ORDER BY id DESC"),
    Pair("users", "filter", "admin", "/staff/users?role=coach", "/stock/user/?flt0_0=1"),
    Pair("users", "text search", "admin", "/staff/users?q=kaur", "/stock/user/?search=kaur"),
    Pair("audit", "first page", "admin", "/staff/audit", "/stock/auditlog/"),
    Pair("audit", "page 2000", "admin", "/staff/audit?after={cursor}", "/stock/auditlog/?page={page}",
         "SELECT id FROM audit_log ORDER BY id DESC"),
    Pair("audit", "filter", "admin", "/staff/audit?action=refund.succeeded", "/stock/auditlog/?flt0_0=refund.succeeded"),
]  # fmt: skip


def serve_stock(url: str) -> tuple[subprocess.Popen, str]:
    """The stock Flask-Admin under gunicorn (2 workers), like the app."""
    port = _free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
           "benchmarks.stock_admin:create_app()"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    return proc, wait_until_up(proc, f"http://127.0.0.1:{port}", "/stock/")


def _server_p50(session: Session, path: str, k: int) -> tuple[float, int]:
    """(p50 of X-Server-Time-ms over k requests after 2 warm-ups, the status)."""
    first = session.request(path)
    session.request(path)
    times = [float(session.request(path).headers.get("X-Server-Time-ms", "nan")) for _ in range(k)]
    return statistics.median(times), first.status


def _deep(db: psycopg.Connection, ordered_sql: str) -> tuple[str, int]:
    """(our cursor, the stock page) for the row at DEPTH, or the list's last row when it is shorter:
    both sides then start their page at the same row."""
    count = db.execute(f"SELECT count(*) FROM ({ordered_sql}) s").fetchone()[0]
    page = max(0, min(DEPTH, count - 1)) // 20
    if page == 0:
        return "", 0
    row = db.execute(f"{ordered_sql} OFFSET %(last)s LIMIT 1", {"last": page * 20 - 1}).fetchone()  # the row before
    return encode_cursor([v.isoformat() if isinstance(v, datetime) else v for v in row]), page


def main(argv: list[str] | None = None) -> int:
    """Serve both, time every pair, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "20")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/cc_bench")
    load_before = os.getloadavg()
    ours_proc, ours_base = serve(url)
    stock_proc, stock_base = serve_stock(url)
    rows = []
    try:
        with psycopg.connect(_conninfo(url), autocommit=True) as db:
            sessions: dict[str, Session] = {}
            stock = Session(stock_base)
            for pair in PAIRS:
                cursor, page = _deep(db, pair.cursor_sql) if pair.cursor_sql else ("", 0)
                path, stock_path = pair.ours.format(cursor=cursor), pair.stock.format(page=page)
                ours_session = _session_for(
                    Page(pair.list_name, path, (pair.role,), "SELECT 1"), ours_base, sessions, db
                )
                ours, ours_status = _server_p50(ours_session, path, args.requests)
                theirs, stock_status = _server_p50(stock, stock_path, args.requests)
                ratio = theirs / ours if ours and ours_status == stock_status == 200 else float("nan")
                log.info(
                    "  %-13s %-14s ours %7.1f ms  stock %7.1f ms  %5.1fx",
                    pair.list_name,
                    pair.variant,
                    ours,
                    theirs,
                    ratio,
                )
                rows.append([pair.list_name, pair.variant, f"{ours:.1f}", f"{theirs:.1f}", f"{ratio:.1f}x",
                             "met" if ratio >= 10 else "not met", path[:90], stock_path,
                             "" if ours_status == stock_status == 200 else f"status {ours_status}/{stock_status}"])  # fmt: skip
    finally:
        for proc in (ours_proc, stock_proc):
            proc.terminate()
            proc.wait(timeout=30)
    header = [
        "list",
        "request",
        "ours p50 ms",
        "stock p50 ms",
        "stock/ours",
        "10x target",
        "our path",
        "stock path",
        "",
    ]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    meta = (f"- server time p50 of {args.requests} requests after 2 warm-ups, one client, both under gunicorn with 2 "
            f"workers on {url.rsplit('/', 1)[1]}\n- load average {_load(load_before)} at the start, "
            f"{_load(os.getloadavg())} at the end")  # fmt: skip
    text = "# Staff lists against a stock Flask-Admin\n\n" + meta + "\n\n" + "\n".join(table) + "\n"
    print("\n" + text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
