"""Jobs per second on one rq worker: the real `rq worker -c workers.rq_settings`, 200 mail jobs.

    python -m benchmarks.jobs [--jobs 200] [--database cc_bench_jobs] [--redis redis://127.0.0.1:6379/8]

A scratch PostgreSQL database (schema from the migrations) holds the mails; the outbox mail backend
files each one, so the figure is the job machinery's own cost (fork, app context, one locked row
update), not an SMTP server's. The worker's start-up (it builds the app once, before forking a work
horse per job) is timed apart, by a burst over an empty queue.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.checks import _scratch

ROOT = Path(__file__).resolve().parents[1]


def _burst(env: dict, redis_url: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rq"), "worker", "--burst", "-c", "workers.rq_settings", "--url", redis_url, "mail"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=900,
    )  # fmt: skip
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Enqueue the mail jobs, run one worker in burst mode, print jobs per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--database", default="cc_bench_jobs")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    args = parser.parse_args(argv)
    url = f"postgresql://postgres@127.0.0.1:5432/{args.database}"
    _scratch(url)
    from flask_migrate import upgrade

    from app import create_app
    from app.core.jobs import RQJobs
    from app.core.models import OutgoingMail
    from app.extensions import db
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, REDIS_URL=None)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        mails = [
            OutgoingMail(to_address=f"bench-{n}@example.org", subject="Hi", template="welcome", text_body="Hi", html_body="Hi")
            for n in range(args.jobs)
        ]  # fmt: skip
        db.session.add_all(mails)
        db.session.commit()
        ids = [m.id for m in mails]
        db.engine.dispose()
    jobs = RQJobs(args.redis, retry_intervals=[])
    jobs.connection.flushdb()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "MAIL_BACKEND": "outbox",
        "REDIS_URL": args.redis,
    }
    start_up = _burst(env, args.redis)
    for mail_id in ids:
        jobs.enqueue("workers.mail.deliver_mail", mail_id, queue="mail")
    total = _burst(env, args.redis)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        filed = conn.scalar(sa.text("SELECT count(*) FROM outgoing_mails WHERE status = 'outbox'"))
    engine.dispose()
    working = max(total - start_up, 1e-9)
    print(
        f"\nOne rq worker, {args.jobs} mail jobs (outbox backend): {total:.1f} s in all, worker start {start_up:.1f} s"
    )
    print(f"  {args.jobs / working:.1f} jobs/s after start-up ({1000 * working / args.jobs:.0f} ms per job); "
          f"{filed} of {args.jobs} mails filed; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0 if filed == args.jobs else 1


if __name__ == "__main__":
    sys.exit(main())
