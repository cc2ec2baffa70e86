"""`rq worker -w workers.rq_worker.PromptRecoveryWorker`: a job abandoned by a killed worker is
found in seconds, not rq's ten minutes.

rq marks a job abandoned once its execution's heartbeat has expired, and gives it its retry at
the next maintenance of any worker on that queue. rq's heartbeat lasts the job monitoring interval
plus a fixed 60 s, and maintenance runs every 10 minutes, and only when an idle worker's blocking
wait for a job ends (worker TTL - 15 s, 405 s by default): a SIGKILLed worker's money job waited
about 11 minutes. Here the wait ends every maintenance interval. With `--job-monitoring-interval 5 --maintenance-interval 10` (docker-compose)
and a heartbeat of three intervals, an abandoned job is back on its queue within about 25 s plus
its first retry interval.
"""

from __future__ import annotations

from rq import Worker

HEARTBEAT_INTERVALS = 3  # a heartbeat outlives this many monitoring intervals


class PromptRecoveryWorker(Worker):
    """rq's Worker with an execution heartbeat of a few monitoring intervals (not interval + 60 s)."""

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        """Seconds until this job's execution counts as abandoned without a new heartbeat."""
        return max(int(self.job_monitoring_interval * HEARTBEAT_INTERVALS), 3)

    @property
    def dequeue_timeout(self) -> int:
        """An idle worker stops waiting for a job every maintenance interval, so maintenance runs."""
        return max(1, min(super().dequeue_timeout, int(self.maintenance_interval)))
