"""docs/operations: the alert rules and the Grafana dashboard only name series /metrics exposes."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.config_reading import ROOT

DOCS = ROOT / "docs" / "operations"
SERIES = re.compile(r"\bcoach_connect_[a-z_]+")


@pytest.fixture
def exposed(client, rq_jobs) -> set[str]:
    """Every series name one scrape declares (with Redis), samples or not (no webhook yet is no row)."""
    from tests.core.conftest import run_burst

    rq_jobs.enqueue("tests.ops.request_id_jobs.echo_request_id", queue="mail")
    run_burst(rq_jobs.connection, "mail")
    assert client.get("/no/such/page").status_code == 404
    body = client.get("/metrics").get_data(as_text=True)
    names = set()
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    for family in text_string_to_metric_families(body):
        names |= {family.name + suffix for suffix in suffixes[family.type]}
    return names


def _alert_exprs() -> dict[str, str]:
    groups = yaml.safe_load((DOCS / "alerts.yml").read_text())["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def test_the_alerts_cover_the_four_golden_signals_the_queues_and_stripe():
    assert {
        "SlowRoute",
        "HighErrorRate",
        "NoTraffic",
        "ThreadsBusy",
        "StreamsNearCap",
        "DatabasePoolNearLimit",
        "JobWaitingTooLong",
        "StripeErrors",
    } <= set(_alert_exprs())


def test_every_series_an_alert_uses_is_exposed(exposed):
    used = {name for expr in _alert_exprs().values() for name in SERIES.findall(expr)}
    assert used - exposed == set()


def test_every_series_the_dashboard_plots_is_exposed(exposed):
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    used = {name for panel in dashboard["panels"] for t in panel["targets"] for name in SERIES.findall(t["expr"])}
    assert used - exposed == set()


def test_the_scrape_config_reads_the_alert_rules_and_the_metrics_path():
    config = yaml.safe_load((DOCS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    assert config["scrape_configs"][0]["metrics_path"] == "/metrics"
