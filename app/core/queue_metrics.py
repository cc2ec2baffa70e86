"""rq metrics: queue depth, oldest queued job, failed registries and workers, read at scrape time;
job wait and run times recorded by the work horse into Redis hashes (bounded: one per queue).

Timings live in Redis rather than in prometheus_client's multiprocess files because rq forks a
new work horse for every job: a file per job's pid would grow without bound.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

# The money queues: Stripe's events, payments, refunds and booking confirmations (issue 16, 7).
MONEY_QUEUES = ("webhooks", "payments", "refunds", "bookings")
# Every queue the app enqueues to, in the order a worker serves them (rq takes the first queue
# that has a job): money first, mail and reports last. The compose `worker` serves this list,
# `money-worker` only MONEY_QUEUES.
QUEUES = (*MONEY_QUEUES, "default", "reminders", "verification", "push", "mail", "reports")
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
TIMING_KEY = "coach_connect:metrics:job_{kind}_seconds:{queue}"
KINDS = ("wait", "run")


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def record_job_timing(job, connection) -> None:
    """Add this job's wait (enqueued → started) and run (started → now) to its queue's histograms."""
    now = datetime.now(UTC)
    started, enqueued = _aware(job.started_at), _aware(job.enqueued_at)
    samples = {}
    if started and enqueued:
        samples["wait"] = max((started - enqueued).total_seconds(), 0.0)
    if started:
        samples["run"] = max((now - started).total_seconds(), 0.0)
    try:
        pipe = connection.pipeline(transaction=False)
        for kind, seconds in samples.items():
            key = TIMING_KEY.format(kind=kind, queue=job.origin)
            for bound in BUCKETS:
                if seconds <= bound:
                    pipe.hincrby(key, f"{bound:g}", 1)
            pipe.hincrby(key, "+Inf", 1)
            pipe.hincrbyfloat(key, "sum", seconds)
        pipe.execute()
    except Exception:  # noqa: BLE001 - a metrics write never fails the job
        log.warning("could not record the timing of job %s", job.id, exc_info=True)


def _histogram(connection, kind: str, queues: list[str]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(
        f"coach_connect_rq_job_{kind}_seconds",
        "Time jobs waited in their queue before a worker started them."
        if kind == "wait"
        else "Time jobs ran (each attempt, successful or not).",
        labels=["queue"],
    )
    for queue in queues:
        raw = connection.hgetall(TIMING_KEY.format(kind=kind, queue=queue))
        if not raw:
            continue
        values = {k.decode(): float(v) for k, v in raw.items()}
        buckets = [(f"{b:g}", values.get(f"{b:g}", 0.0)) for b in BUCKETS] + [("+Inf", values.get("+Inf", 0.0))]
        family.add_metric([queue], buckets, values.get("sum", 0.0))
    return family


class QueueCollector(Collector):
    """Reads rq's state in Redis at every scrape; reports `coach_connect_rq_up 0` when Redis is down."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def collect(self):
        up = GaugeMetricFamily("coach_connect_rq_up", "1 when Redis answered this scrape.")
        try:
            families = list(self._families())
        except Exception:  # noqa: BLE001 - Redis down: say so instead of failing the scrape
            log.warning("queue metrics unavailable", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self):
        conn = self.connection
        stats = queue_stats(conn)
        depth = GaugeMetricFamily("coach_connect_rq_queue_depth", "Jobs waiting in the queue.", labels=["queue"])
        oldest = GaugeMetricFamily(
            "coach_connect_rq_oldest_job_age_seconds",
            "Age of the oldest job waiting in the queue (0 when empty).",
            labels=["queue"],
        )
        failed = GaugeMetricFamily(
            "coach_connect_rq_failed_jobs", "Jobs in the queue's failed registry.", labels=["queue"]
        )
        scheduled = GaugeMetricFamily(
            "coach_connect_rq_scheduled_jobs", "Jobs scheduled for later (retries with backoff).", labels=["queue"]
        )
        now = datetime.now(UTC)
        for q in stats:
            depth.add_metric([q.name], q.depth)
            oldest.add_metric([q.name], max((now - q.oldest_at).total_seconds(), 0.0) if q.oldest_at else 0.0)
            failed.add_metric([q.name], q.failed)
            scheduled.add_metric([q.name], q.scheduled)
        workers = GaugeMetricFamily("coach_connect_rq_workers", "rq workers by state.", labels=["state"])
        for state, count in sorted(worker_states(conn).items()):
            workers.add_metric([state], count)
        yield from (depth, oldest, failed, scheduled, workers)
        for kind in KINDS:
            yield _histogram(conn, kind, [q.name for q in stats])


@dataclass(frozen=True)
class QueueStats:
    """One rq queue as Redis has it now."""

    name: str
    depth: int
    oldest_at: datetime | None  # when the oldest waiting job was enqueued
    running: int
    scheduled: int
    failed: int  # in rq's failed registry (kept for a week)


def queue_stats(connection) -> list[QueueStats]:
    """Every known or existing queue, by name."""
    from rq import Queue
    from rq.job import Job

    names = sorted(set(QUEUES) | {q.name for q in Queue.all(connection=connection)})
    found = []
    for name in names:
        queue = Queue(name, connection=connection)
        oldest_at = None
        first = queue.get_job_ids(0, 1)
        if first:
            oldest_at = _aware(Job.fetch(first[0], connection=connection).enqueued_at)
        found.append(
            QueueStats(
                name,
                queue.count,
                oldest_at,
                queue.started_job_registry.count,
                queue.scheduled_job_registry.count,
                queue.failed_job_registry.count,
            )
        )
    return found


def worker_states(connection) -> dict[str, int]:
    """rq workers registered in Redis, counted by state (idle, busy, ...)."""
    from rq import Worker

    states: dict[str, int] = {"idle": 0, "busy": 0, "suspended": 0, "started": 0}
    for worker in Worker.all(connection=connection):
        state = worker.get_state()
        state = str(getattr(state, "value", state))
        states[state] = states.get(state, 0) + 1
    return states


# A worker counts as live when its last heartbeat is this recent. Ours (PromptRecoveryWorker) send
# one at least every maintenance interval when idle (10 s in docker-compose) and every job
# monitoring interval when busy (5 s); a SIGKILLed worker stays registered in Redis, with no
# death recorded, until its key expires (worker TTL + 60 s, 8 minutes by default).
LIVE_HEARTBEAT_SECONDS = 60


def live_worker_counts(connection, now: datetime | None = None) -> tuple[int, int]:
    """(live, unresponsive) rq workers: registered ones whose last heartbeat is recent, and the rest."""
    from rq import Worker

    now = now or datetime.now(UTC)
    live = unresponsive = 0
    for worker in Worker.all(connection=connection):
        beat = worker.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        if beat is not None and (now - beat).total_seconds() <= LIVE_HEARTBEAT_SECONDS:
            live += 1
        else:
            unresponsive += 1
    registered = Worker.count(connection=connection)  # keys already expired are unresponsive too
    return live, max(unresponsive, registered - live)
