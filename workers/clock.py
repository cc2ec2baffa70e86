"""The clock: runs the periodic commands (`python -m workers.clock`; the compose `clock` service).

Each entry runs a `flask` command in its own process, so one failing command never stops the
others. Times are UTC. In a cluster run exactly one clock.
"""

from __future__ import annotations

import logging
import subprocess
import time
from datetime import UTC, datetime

log = logging.getLogger(__name__)

# (every N seconds, the flask command)
PERIODIC: list[tuple[int, list[str]]] = [
    (60, ["jobs", "requeue-unsent"]),  # jobs recorded while Redis was unreachable
    (60, ["booking", "maintain"]),  # expire unpaid holds, complete past sessions, refresh next free slots
    (60, ["notifications", "send-due"]),  # mail notifications still unread after their delay
    (60, ["video", "decide-due"]),  # sessions whose room closed: completed, no-show (refund) or staff's queue
    (600, ["analytics", "refresh-rollups"]),  # incremental
    (3600, ["realtime", "prune-events"]),  # the live event log keeps EVENTS_RETENTION_DAYS
    (3600, ["messaging", "prune-attachments"]),  # files uploaded but never sent
    (3600, ["payments", "reconcile"]),  # our payments and refunds against Stripe's, last 7 days
    (600, ["payments", "roll-up"]),  # the finance totals: payments created since the last roll-up
    (86400, ["booking", "refresh-search"]),
    (86400, ["analytics", "refresh-rollups", "--days", "400"]),
    (86400, ["analytics", "purge-events"]),
]
MONTHLY_AT = (1, 6)  # day of month, hour: `flask reports schedule` builds last month's reports


def run(command: list[str]) -> int:
    """Run one flask command; returns its exit code."""
    code = subprocess.call(["flask", *command])
    if code:
        log.error("flask %s exited with %s", " ".join(command), code)
    return code


def main() -> None:
    """Loop forever, once a minute."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s clock %(message)s")
    last_run: dict[int, float] = {}
    last_month: tuple[int, int] | None = None
    while True:
        now = time.monotonic()
        for index, (every, command) in enumerate(PERIODIC):
            if now - last_run.get(index, -every) >= every:
                last_run[index] = now
                run(command)
        today = datetime.now(UTC)
        if (today.day, today.hour) == MONTHLY_AT and last_month != (today.year, today.month):
            last_month = (today.year, today.month)
            run(["reports", "schedule"])
        time.sleep(60)


if __name__ == "__main__":
    main()
