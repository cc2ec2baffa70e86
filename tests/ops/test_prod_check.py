"""`make prod-check` and the mixed load of `make bench` run here too, on one production stack.

The walk (benchmarks/prod_check.py) books, pays, refunds with TOTP and builds a report through the
real pages, on gunicorn + an rq worker + the clock, and raises naming the first step that failed;
then a short burst of the mixed load (benchmarks/load.py) must get only answers below 400 and an
error rate the app's own /metrics confirms.
"""

from __future__ import annotations

import os

from benchmarks import load, prod_check
from benchmarks.prod_stack import production_stack
from tests.conftest import TEST_DATABASE_URL


def test_the_production_stack_passes_its_smoke_walk_and_a_short_mixed_load(redis_url):
    database = TEST_DATABASE_URL.rsplit("/", 1)[1] + "_prodcheck"
    steps: list[str] = []
    with production_stack(database, int(redis_url.rsplit("/", 1)[1])) as stack:
        prod_check.walk(stack, steps.append)
        result = load.run_load(stack, clients=len(load.MIX), seconds=3)
    said = "\n".join(steps)
    for step in ("booked and paid", "arrived over SMTP", "refunded 10.00", "finance report", "/readyz: 200", "no 5xx"):
        assert step in said, said
    text, ok = load.report(result, len(load.MIX))
    assert (result["failures"], ok) == ([], True), text
    assert result["counted"].get("2xx", 0) >= len(result["timings"]) * 0.9, text  # /metrics saw the load
    assert os.environ.get("APP_ENV") != "production"  # the stack's settings stayed in its processes


def test_the_load_report_holds_the_error_rate_to_under_one_percent():
    base = {"took": 10.0, "timings": [10.0, 20.0, 30.0], "failures": []}
    assert load.report({**base, "counted": {"2xx": 990, "5xx": 9}}, 2)[1] is True
    assert load.report({**base, "counted": {"2xx": 99, "5xx": 1}}, 2)[1] is False
    assert load.report({**base, "counted": {}}, 2)[1] is False  # nothing counted is not a pass


def test_scaling_compares_sixteen_clients_with_one():
    def run(answers: int, p95: float) -> dict:
        return {"took": 10.0, "timings": [p95] * answers}

    assert load.scaling({1: run(100, 50.0), 16: run(190, 250.0)}).endswith("ms: met)")  # 1.9x
    assert "NOT met" in load.scaling({1: run(100, 50.0), 16: run(170, 250.0)})  # 1.7x
    assert "NOT met" in load.scaling({1: run(100, 50.0), 16: run(400, 350.0)})  # p95 too slow
    assert "needs runs" in load.scaling({32: run(100, 50.0)})
