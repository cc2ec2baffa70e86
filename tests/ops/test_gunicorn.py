"""Real gunicorn with gunicorn.conf.py: metrics summed over workers, a dead worker's live gauges
dropped, the directory emptied at start, one JSON log line per request."""

from __future__ import annotations

import json
import os
import signal

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import TEST_DATABASE_URL
from tests.ops.gunicorn_process import gunicorn
from tests.realtime.sse_client import open_raw

LIVEZ_COUNT = "coach_connect_http_request_duration_seconds_count"


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    stale = tmp / "prometheus" / "counter_999999.db"
    stale.parent.mkdir()
    stale.write_bytes(b"left by an earlier run")
    with gunicorn(tmp, TEST_DATABASE_URL, workers=2) as running:
        running.stale = stale
        yield running


def _livez_count(server) -> float:
    status, _, body = server.get("/metrics")
    assert status == 200
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == LIVEZ_COUNT and sample.labels == {"route": "/livez", "method": "GET", "status": "2xx"}:
                return sample.value
    return 0.0


def test_the_metrics_directory_is_emptied_when_gunicorn_starts(server):
    assert not server.stale.exists()


def test_metrics_add_up_the_requests_of_every_worker(server):
    before = _livez_count(server)
    for _ in range(20):
        assert server.get("/livez")[0] == 200
    assert _livez_count(server) == before + 20


def test_a_killed_worker_leaves_its_counts_and_loses_its_live_gauges(server):
    for _ in range(10):
        server.get("/livez")
    counted = _livez_count(server)
    victim = server.workers()[0]
    live_file = server.metrics_dir / f"gauge_livesum_{victim}.db"
    assert live_file.exists()
    os.kill(victim, signal.SIGKILL)
    server.wait_for_workers(2, exclude={victim})
    assert not live_file.exists()
    assert _livez_count(server) == counted


def test_each_request_writes_one_json_line_with_its_request_id(server):
    status, headers, _ = server.get("/readyz", headers={"X-Request-ID": "gunicorn-probe-0001"})
    assert status == 200
    assert headers["X-Request-ID"] == "gunicorn-probe-0001"
    lines = [json.loads(line) for line in server.log().splitlines() if '"gunicorn-probe-0001"' in line]
    assert [(line["route"], line["status"], line["logger"]) for line in lines] == [
        ("/readyz", 200, "coach_connect.request")
    ]


def test_a_worker_refuses_streams_past_threads_minus_page_threads(app, tmp_path):
    """gunicorn.conf.py derives STREAM_CAP from its threads: 12 threads - 10 for pages = 2 streams; the
    third gets 503 with Retry-After at once (it used to stay at the config's 400 and hang a page thread)."""
    from tests.factories import UserFactory
    from tests.security_clients import bearer_for

    headers = bearer_for(UserFactory())
    with gunicorn(tmp_path, TEST_DATABASE_URL, workers=1, GUNICORN_THREADS="12", GUNICORN_PAGE_THREADS="10") as srv:
        opened = [open_raw(int(srv.base.rsplit(":", 1)[1]), headers) for _ in range(2)]
        try:
            assert [head.split(b"\r\n", 1)[0] for _, head in opened] == [b"HTTP/1.1 200 OK"] * 2
            third, head = open_raw(int(srv.base.rsplit(":", 1)[1]), headers)
            third.close()
            assert head.startswith(b"HTTP/1.1 503"), head[:200]
            assert b"\r\nRetry-After: 5\r\n" in head
            assert srv.get("/livez")[0] == 200, "pages still answer"
        finally:
            for sock, _ in opened:
                sock.close()
