"""`python -m benchmarks.run`: seed a scratch PostgreSQL database, serve with gunicorn, time the hot pages.

Environment: BENCH_SCALE (default 100000), BENCH_REQUESTS (default 30), BENCH_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/cc_bench). The seeded data is reused between
runs (a `bench.seed` setting records N); `--reseed` rebuilds it. Prints a table and writes it
as markdown to benchmarks/results/latest.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from benchmarks.http import Session
from benchmarks.pages import PAGES, Page

log = logging.getLogger("benchmarks")
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "latest.md"
UPLOADS = ROOT / "instance" / "bench" / "uploads"
DEMO_PASSWORD = "demo-password-1"
ROLE_LOGINS = {
    "admin": "admin@coachconnect.example",
    "verifier": "verifier@coachconnect.example",
    "moderator": "moderator@coachconnect.example",
    "finance": "finance@coachconnect.example",
    "client": "client@coachconnect.example",
    "coach": "coach01@coachconnect.example",
}
WARMUPS = 3


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _admin_url(url: str) -> tuple[str, str]:
    """(url of the maintenance database, name of the bench database)."""
    base, name = url.rsplit("/", 1)
    return f"{base}/postgres", name


def seeded_scale(url: str) -> dict | None:
    """The recorded seed of the bench database, or None when it is missing or not seeded."""
    try:
        with psycopg.connect(_conninfo(url), connect_timeout=5) as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = 'bench.seed'").fetchone()
    except psycopg.Error:
        return None
    return (json.loads(row[0]) if isinstance(row[0], str) else row[0]) if row else None


def _flask(args: list[str], url: str) -> None:
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "FLASK_APP": "wsgi.py",
        "UPLOAD_FOLDER": str(UPLOADS),
    }
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True)


def reseed(url: str, scale: int) -> float:
    """Drop and recreate the bench database, migrate, seed demo + scale; return the seconds taken."""
    admin, name = _admin_url(url)
    with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    _flask(["db", "upgrade"], url)
    log.info("Migrated in %.1f s", time.perf_counter() - started)
    demo_started = time.perf_counter()
    _flask(["seed", "--demo"], url)
    log.info("Demo data (the logins the benchmark uses) in %.1f s", time.perf_counter() - demo_started)
    seed_started = time.perf_counter()
    _flask(["seed", "--scale", str(scale)], url)
    seconds = time.perf_counter() - seed_started
    log.info("flask seed --scale %d took %.1f s", scale, seconds)
    record = {
        "scale": scale,
        "scale_seconds": round(seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "at": datetime.now(UTC).isoformat(),
    }
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('bench.seed', %s, now())", (json.dumps(record),)
        )
        # Write the seed's dirty pages out now rather than while pages are being timed.
        conn.execute("CHECKPOINT")
    return seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(url: str) -> tuple[subprocess.Popen, str]:
    """gunicorn with 2 workers in production mode with the instrumentation headers on."""
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "PAYOUT_ENCRYPTION_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": url,
        "BENCH_INSTRUMENT": "1",
        "SESSION_COOKIE_SECURE": "0",  # plain http on localhost
        "UPLOAD_FOLDER": str(UPLOADS),
    }
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    return proc, wait_until_up(proc, f"http://127.0.0.1:{port}", "/healthz")


def wait_until_up(proc: subprocess.Popen, base: str, path: str) -> str:
    """`base` once `path` answers 200 (within 60 s); the process is stopped if it never does."""
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn for {base} exited during start-up")
        try:
            if Session(base).request(path).status == 200:
                return base
        except OSError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not answer {path} within 60 s")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _session_for(page: Page, base: str, sessions: dict, db: psycopg.Connection) -> Session:
    role = next((r for r in page.roles if r in ROLE_LOGINS), None)
    if role is None:
        return sessions.setdefault("anonymous", Session(base))
    if role not in sessions:
        email = ROLE_LOGINS[role]
        row = db.execute("SELECT totp_secret FROM users WHERE email = %s", (email,)).fetchone()
        session = Session(base)
        session.login(email, DEMO_PASSWORD, row[0] if row else None)
        sessions[role] = session
    return sessions[role]


def measure(page: Page, base: str, sessions: dict, db: psycopg.Connection, k: int) -> dict:
    """Request the page K times after warm-ups, and run its raw SQL K times."""
    params = {}
    if page.params:
        cur = db.execute(page.params)
        row = cur.fetchone()
        if row is None:
            return {"page": page, "skipped": "no data for its parameters"}
        params = dict(zip([c.name for c in cur.description], row, strict=True))
    path = page.path.format(**params)
    session = _session_for(page, base, sessions, db)
    first = session.request(path)
    log.info("  %-28s %s -> %s", page.name, path, first.status)
    if first.status == 404:
        return {"page": page, "path": path, "skipped": "not in this build (404)"}
    if first.status != 200:
        return {"page": page, "path": path, "skipped": f"status {first.status} at {first.url}"}
    for _ in range(WARMUPS - 1):
        session.request(path)
    wall, server, queries = [], [], []
    for _ in range(k):
        resp = session.request(path)
        wall.append(resp.elapsed_ms)
        server.append(float(resp.headers.get("X-Server-Time-ms", "nan")))
        queries.append(int(resp.headers.get("X-Query-Count", "-1")))
    raw = []
    for _ in range(WARMUPS):
        db.execute(page.sql, params or None).fetchall()
    for _ in range(k):
        started = time.perf_counter()
        db.execute(page.sql, params or None).fetchall()
        raw.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(wall)
    raw50 = statistics.median(raw)
    log.info("  %-28s p50 %.1f ms, %d queries", page.name, p50, max(queries))
    return {
        "page": page,
        "path": path,
        "p50": p50,
        "p95": percentile(wall, 0.95),
        "server_p50": statistics.median(server),
        "server_p95": percentile(server, 0.95),
        "queries": max(queries),
        "sql_p50": raw50,
        "ratio": p50 / raw50 if raw50 else float("nan"),
    }


HEADER = [
    "page",
    "path",
    "p50 ms",
    "p95 ms",
    "server p50 ms",
    "server p95 ms",
    "queries",
    "raw SQL p50 ms",
    "page/SQL",
    "target p95",
]


def table_rows(results: list[dict]) -> list[list[str]]:
    """One row of strings per measured page; skipped pages say why."""
    rows = []
    for r in results:
        page = r["page"]
        target = f"< {page.target_p95_ms:.0f} ms" if page.target_p95_ms else ""
        if "skipped" in r:
            rows.append([page.name, r.get("path", page.path), r["skipped"], "", "", "", "", "", "", target])
            continue
        rows.append([
            page.name, r["path"], f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['server_p50']:.1f}", f"{r['server_p95']:.1f}",
            str(r["queries"]), f"{r['sql_p50']:.2f}", f"{r['ratio']:.1f}x", target,
        ])  # fmt: skip
    return rows


def render_text(rows: list[list[str]]) -> str:
    """A fixed-width table for the terminal."""
    widths = [max(len(x) for x in col) for col in zip(HEADER, *rows, strict=True)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(HEADER), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def render_markdown(rows: list[list[str]], meta: list[str]) -> str:
    """The same table as markdown, with the run's parameters and timings."""
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "# Benchmark results\n\n" + "\n".join(f"- {m}" for m in meta) + "\n\n" + "\n".join(out) + "\n"


def _load(avg: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in avg)


def main(argv: list[str] | None = None) -> int:
    """Seed if needed, serve, measure every page, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="rebuild the bench database even if it is seeded")
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", "100000")))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "30")))
    parser.add_argument("--only", default="", help="comma-separated page names to measure")
    parser.add_argument(
        "--combinations",
        action="store_true",
        help="walk every filter combination of the staff lists instead of the pages (benchmarks/combinations.py)",
    )
    parser.add_argument("--lists", default="", help="with --combinations: comma-separated lists to walk")
    parser.add_argument("--samples", type=int, default=3, help="with --combinations: requests per path")
    parser.add_argument("--clients", type=int, default=1, help="with --combinations: concurrent clients")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    started = time.perf_counter()
    load_before = os.getloadavg()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/cc_bench")
    seed = seeded_scale(url)
    if args.reseed or not seed or seed.get("scale") != args.scale:
        log.info("Seeding %s with --scale %d (this takes a while at 100000) ...", url, args.scale)
        reseed(url, args.scale)
        seed = seeded_scale(url)
    else:
        log.info("Reusing seeded data in %s (N=%d; --reseed to rebuild)", url, seed["scale"])
        _flask(["db", "upgrade"], url)  # the code may have moved on since the seed
    rollups_started = time.perf_counter()
    _flask(["analytics", "refresh-rollups", "--days", "400"], url)  # as cron keeps them in production
    log.info("Analytics rollups refreshed in %.1f s", time.perf_counter() - rollups_started)
    _flask(["payments", "roll-up"], url)  # the finance totals' ended days, as the clock does hourly
    if args.combinations:
        os.environ.setdefault("LOG_LEVEL", "WARNING")  # tens of thousands of requests: no line per request
    serve_started = time.perf_counter()
    proc, base = serve(url)
    log.info("gunicorn answering on %s after %.1f s", base, time.perf_counter() - serve_started)
    try:
        with psycopg.connect(_conninfo(url), autocommit=True) as db:
            sessions: dict[str, Session] = {}  # one login per role: a TOTP code is accepted once
            if args.combinations:
                from benchmarks import combinations

                lists = {n.strip() for n in args.lists.split(",") if n.strip()}
                return combinations.run(base, url, sessions, db, args.samples, lists, args.clients)
            only = {n.strip() for n in args.only.split(",") if n.strip()}
            results = [measure(p, base, sessions, db, args.requests) for p in PAGES if not only or p.name in only]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    rows = table_rows(results)
    total = time.perf_counter() - started
    meta = [
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; data set N={seed['scale']:,} (seeded {seed['at'][:16]}, "
        f"`flask seed --scale` took {seed['scale_seconds']:.0f} s)",
        f"{args.requests} requests per page after {WARMUPS} warm-ups, one client, gunicorn with 2 workers, APP_ENV=production",
        "server times and query counts come from the X-Server-Time-ms and X-Query-Count headers (BENCH_INSTRUMENT=1)",
        f"run's total time: {total:.0f} s",
        f"machine: {os.cpu_count()} CPUs; load average (1/5/15 min) {_load(load_before)} at the start, "
        f"{_load(os.getloadavg())} at the end",
    ]
    log.info("%s", render_text(rows))
    print(
        f"\nData set N={seed['scale']:,}; scale seed took {seed['scale_seconds']:.0f} s. Run's total time: {total:.0f} s."
        f" Load average {_load(load_before)} at the start, {_load(os.getloadavg())} at the end."
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(render_markdown(rows, meta))
    log.info(f"Written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
