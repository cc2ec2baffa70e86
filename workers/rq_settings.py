"""`rq worker -c workers.rq_settings`: error tracking and the app, set up once before rq forks a job.

rq imports this module once, in the parent process. The Sentry SDK's rq integration must be on
there, so that the work horse (a fork per job) reports a job that used up its retries and
flushes before it exits; and the app is built there, so every horse inherits it instead of
building its own. Nothing else is configured here: rq's options stay on its command line (no
upper-case names at module level, which rq would read as its settings).
"""

from __future__ import annotations

from app.core.error_tracking import init_error_tracking
from config import config_from_env
from workers.context import worker_app


def _settings() -> dict:
    config = config_from_env()
    return {name: getattr(config, name) for name in dir(config) if name.isupper()}


init_error_tracking(_settings())
worker_app()
