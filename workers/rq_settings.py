"""`rq worker -c workers.rq_settings`: starts error tracking in the worker before it forks a job.

rq imports this module once, in the parent process; the Sentry SDK's rq integration must be on
there, so that the work horse (a fork per job) reports a job that used up its retries and
flushes before it exits. Nothing else is configured here: rq's options stay on its command line.
"""

from __future__ import annotations

from app.core.error_tracking import init_error_tracking
from config import config_from_env


def _settings() -> dict:
    config = config_from_env()
    return {name: getattr(config, name) for name in dir(config) if name.isupper()}


init_error_tracking(_settings())
