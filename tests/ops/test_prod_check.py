"""`make prod-check` runs here too: the production configuration started from this checkout and walked.

The walk (benchmarks/prod_check.py) books, pays, refunds with TOTP and builds a report through the
real pages, on gunicorn + an rq worker + the clock, and exits 1 naming the first step that failed.
"""

from __future__ import annotations

import os

from benchmarks import prod_check
from tests.conftest import TEST_DATABASE_URL


def test_the_production_stack_passes_its_smoke_walk(redis_url, capsys):
    database = TEST_DATABASE_URL.rsplit("/", 1)[1] + "_prodcheck"
    redis_db = int(redis_url.rsplit("/", 1)[1])
    assert prod_check.main(["--database", database, "--redis-db", str(redis_db)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    for step in ("booked and paid", "arrived over SMTP", "refunded 10.00", "finance report", "/readyz: 200", "no 5xx"):
        assert step in out, out
    assert os.environ.get("APP_ENV") != "production"  # the walk's settings stayed in its processes
