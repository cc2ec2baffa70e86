"""The production configuration, started locally: gunicorn (gunicorn.conf.py), rq workers, the clock.

The workers run with the arguments docker-compose.yml gives its `worker` and `money-worker`.

Used by `make prod-check` (benchmarks/prod_check.py) and the mixed load of `make bench`
(benchmarks/load.py). It runs on this machine's PostgreSQL and Redis, with an aiosmtpd server as
the SMTP relay and local files for storage, in a scratch database it migrates and seeds with the
demo data; every process it starts is stopped when the block ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from benchmarks.checks import _scratch
from benchmarks.run import _free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


@dataclass
class Stack:
    """What a running production stack offers the walk and the load."""

    base: str
    database_url: str
    smtp_log: Path
    metrics_token: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def db(self) -> psycopg.Connection:
        """A fresh autocommit connection to the stack's database."""
        return psycopg.connect(self.database_url, autocommit=True)

    def alive(self) -> dict[str, bool]:
        """Each process by name: still running?"""
        return {name: proc.poll() is None for name, proc in self.processes.items()}


def compose_worker_args(service: str, redis_url: str) -> list[str]:
    """`rq`'s arguments as docker-compose.yml runs them for `service` (one source for both)."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    shell = compose["services"][service]["command"][-1]  # ["sh", "-c", "exec rq worker ..."]
    args = shlex.split(shell.replace("$$REDIS_URL", redis_url))
    return args[args.index("rq") + 1 :]


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for proc in processes.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 40
    for proc in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def production_stack(database: str, redis_db: int, web_workers: int = 2) -> Iterator[Stack]:
    """Migrate and seed `database`, start everything in production mode, yield, stop everything.
    gunicorn keeps gunicorn.conf.py's threads and stream cap; `web_workers` stands for WEB_CONCURRENCY."""
    url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    _scratch(url)
    redis_url = f"redis://127.0.0.1:6379/{redis_db}"
    port, smtp_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory(prefix="cc-prod-") as tmp:
        tmp_path = Path(tmp)
        common = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PYTHONPATH": str(ROOT),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # the clock runs `flask`
        }
        _run([str(BIN / "flask"), "db", "upgrade"], {**common, "APP_ENV": "development", "FLASK_APP": "wsgi.py"})
        _run([str(BIN / "flask"), "seed", "--demo"], {**common, "APP_ENV": "development", "FLASK_APP": "wsgi.py"})
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        metrics_token = secrets.token_urlsafe(16)
        prod = {
            **common,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "PAYOUT_ENCRYPTION_KEY": secrets.token_hex(32),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "SESSION_COOKIE_SECURE": "0",  # plain http on localhost
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "PAYMENT_GATEWAY": "offline",
            "METRICS_TOKEN": metrics_token,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(web_workers),
            "GUNICORN_LOG_LEVEL": "warning",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        }
        smtp_log = tmp_path / "smtp.log"
        processes: dict[str, subprocess.Popen] = {}
        logs = {
            name: open(tmp_path / f"{name}.log", "w") for name in ("smtp", "web", "worker", "money-worker", "clock")
        }  # noqa: SIM115
        try:
            processes["smtp"] = subprocess.Popen(
                [sys.executable, "-u", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}"],
                cwd=ROOT, stdout=logs["smtp"], stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes["web"] = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT, env=prod, stdout=logs["web"], stderr=subprocess.STDOUT,
            )  # fmt: skip
            for service in ("worker", "money-worker"):  # as docker-compose.yml starts them
                processes[service] = subprocess.Popen(
                    [str(BIN / "rq"), *compose_worker_args(service, redis_url)],
                    cwd=ROOT, env=prod, stdout=logs[service], stderr=subprocess.STDOUT,
                )  # fmt: skip
            processes["clock"] = subprocess.Popen(
                [sys.executable, "-m", "workers.clock"],
                cwd=ROOT, env={**prod, "FLASK_APP": "wsgi.py"}, stdout=logs["clock"], stderr=subprocess.STDOUT,
            )  # fmt: skip
            base = wait_until_up(processes["web"], f"http://127.0.0.1:{port}", "/readyz")
            yield Stack(base, url, smtp_log, metrics_token, processes)
        except BaseException:
            for name in ("web", "worker", "money-worker", "clock"):
                logs[name].flush()
                text = (tmp_path / f"{name}.log").read_text()[-3000:]
                print(f"--- last lines of {name}.log\n{text}", file=sys.stderr)
            raise
        finally:
            _stop(processes)
            for handle in logs.values():
                handle.close()
