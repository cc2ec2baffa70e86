"""A mixed load on the production configuration: 1, 16, 32 and 64 clients, 60 s each (issues 15, 20).

    python -m benchmarks.load [--clients 1,16,32,64] [--seconds 60] [--database cc_load] [--redis-db 6]

The stack of `make prod-check` (gunicorn.conf.py, an rq worker, the clock, PostgreSQL, Redis, SMTP)
on the demo data. Each client is one browser-like session of a role, picked round-robin from MIX,
that requests its role's pages in turn as fast as answers come back. Printed: throughput, p50 / p95 /
p99 of every answer, the client-side failures, and the error rate read back from /metrics (5xx over
all answers the app counted; the target is under 1 %) at each count, then whether 16 clients
get at least 1.8x one client's throughput with p95 under 300 ms (issue 20).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading
import time

from benchmarks.http import Session
from benchmarks.prod_check import _staff, answers_by_status
from benchmarks.prod_stack import Stack, production_stack
from benchmarks.run import DEMO_PASSWORD, ROLE_LOGINS, percentile

MIX: dict[str, tuple[str, ...]] = {
    "anonymous": ("/", "/coaches", "/coaches?q=leadership", "/community"),
    "client": ("/dashboard", "/bookings", "/payments", "/messages", "/coaches"),
    "coach": ("/dashboard", "/coach/availability", "/bookings"),
    "verifier": ("/staff/", "/staff/verification/"),
    "moderator": ("/staff/", "/staff/moderation/"),
    "finance": ("/staff/", "/staff/finance/", "/staff/finance/approvals"),
    "admin": ("/staff/", "/staff/analytics/", "/staff/users"),
}
ERROR_TARGET = 0.01
SCALING_TARGET, P95_TARGET_MS = 1.8, 300.0
WEB_WORKERS = 2  # the stack's gunicorn workers (the 2 cores here); threads as gunicorn.conf.py sets them


def _logged_in(stack: Stack) -> dict[str, Session]:
    """One logged-in session per role (staff with TOTP); the clients share their role's cookies."""
    sessions = {"anonymous": Session(stack.base)}
    for role in MIX:
        if role == "anonymous":
            continue
        if role in ("client", "coach"):
            sessions[role] = Session(stack.base)
            sessions[role].login(ROLE_LOGINS[role], DEMO_PASSWORD, None)
        else:
            sessions[role] = _staff(stack, role)
    return sessions


def _client_of(template: Session) -> Session:
    session = Session(template.base)
    for cookie in template.jar:
        session.jar.set_cookie(cookie)
    return session


def run_load(stack: Stack, clients: int, seconds: float) -> dict:
    """Drive the mix; the timings, statuses and /metrics counts."""
    templates = _logged_in(stack)
    before = answers_by_status(stack)
    roles = list(itertools.islice(itertools.cycle(MIX), clients))
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def drive(role: str) -> None:
        session = _client_of(templates[role])
        for path in itertools.cycle(MIX[role]):
            if time.monotonic() >= stop_at:
                return
            try:
                resp = session.request(path)
                bad = None if resp.status < 400 else f"{resp.status} {path}"
                elapsed = resp.elapsed_ms
            except OSError as exc:
                bad, elapsed = f"{exc.__class__.__name__} {path}", float("nan")
            with lock:
                timings.append(elapsed)
                if bad:
                    failures.append(bad)

    threads = [threading.Thread(target=drive, args=(role,)) for role in roles]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    after = answers_by_status(stack)
    counted = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    return {"took": took, "timings": [t for t in timings if t == t], "failures": failures, "counted": counted}


def report(result: dict, clients: int) -> tuple[str, bool]:
    """The printed summary and whether the error rate met the target."""
    timings, counted = result["timings"], result["counted"]
    total = sum(counted.values())
    rate = counted.get("5xx", 0) / total if total else 1.0
    lines = [
        f"Mixed load, {clients} clients for {result['took']:.0f} s on the production configuration "
        f"(gunicorn gthread, {WEB_WORKERS} workers, threads from gunicorn.conf.py):",
        f"  {len(timings)} answers, {len(timings) / result['took']:.1f} per second",
        f"  p50 {percentile(timings, 0.5):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
        f"p99 {percentile(timings, 0.99):.0f} ms (client wall time)",
        f"  client-side failures: {len(result['failures'])} {sorted(set(result['failures']))[:5]}",
        f"  /metrics: {total:.0f} answers counted, 5xx {counted.get('5xx', 0):.0f} -> error rate {100 * rate:.2f} % "
        f"({'under' if rate < ERROR_TARGET else 'OVER'} the 1 % target); load average {os.getloadavg()[0]:.1f}",
    ]
    return "\n".join(lines), rate < ERROR_TARGET and total > 0


def scaling(results: dict[int, dict]) -> str:
    """Issue 20's throughput target: 16 clients at least 1.8x one client's answers per second, p95 under 300 ms."""
    if 1 not in results or 16 not in results:
        return "scaling: needs runs at 1 and 16 clients"
    one, sixteen = (len(results[n]["timings"]) / results[n]["took"] for n in (1, 16))
    p95 = percentile(results[16]["timings"], 0.95)
    met = sixteen >= SCALING_TARGET * one and p95 < P95_TARGET_MS
    return (
        f"scaling: 16 clients {sixteen:.1f}/s = {sixteen / one:.2f}x one client's {one:.1f}/s, p95 {p95:.0f} ms "
        f"(target >= {SCALING_TARGET}x with p95 under {P95_TARGET_MS:.0f} ms: {'met' if met else 'NOT met'})"
    )


def main(argv: list[str] | None = None) -> int:
    """Start the stack, drive it at each client count, print, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,16,32,64", help="client counts, comma-separated, run in turn")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database", default="cc_load")
    parser.add_argument("--redis-db", type=int, default=6)
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.clients.split(",")]
    results, ok = {}, True
    with production_stack(args.database, args.redis_db, web_workers=WEB_WORKERS) as stack:
        for clients in counts:
            results[clients] = run_load(stack, clients, args.seconds)
            text, passed = report(results[clients], clients)
            ok = ok and passed
            print(text, flush=True)
    print(scaling(results), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
