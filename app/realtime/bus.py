"""What wakes a waiting stream: an in-process condition per user, and Redis pub/sub between processes.

The bus carries user ids only; the events themselves are read from the database. So a lost wake-up
costs latency, never an event: a waiting stream re-queries at least every `poll_seconds` whenever
no Redis subscription is live (Redis down, or several processes without Redis).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator

from flask import Flask, current_app

log = logging.getLogger(__name__)
CHANNEL = "coach-connect:user-events"


class Subscription:
    """One stream's interest in one user's events."""

    def __init__(self, bus: LocalBus, user_id: int):
        self.bus, self.user_id = bus, user_id

    def version(self) -> int:
        """A counter that moves on each wake-up for this user; read it before querying."""
        with self.bus.lock:
            return self.bus.versions.get(self.user_id, 0)

    def wait(self, version: int, timeout: float) -> bool:
        """Block until woken after `version` or `timeout` (capped by the bus's poll interval)."""
        timeout = max(0.0, min(timeout, self.bus.poll_seconds()))
        with self.bus.lock:
            cond = self.bus.conditions[self.user_id]
            return cond.wait_for(lambda: self.bus.versions.get(self.user_id, 0) != version, timeout)


class LocalBus:
    """In-process wake-ups (`make run`, or any single process); also re-queries every poll_seconds."""

    def __init__(self, poll_seconds: float = 1.0, heartbeat_seconds: float = 15.0):
        self.lock = threading.Lock()
        self.versions: dict[int, int] = {}
        self.conditions: dict[int, threading.Condition] = {}
        self.subscribers: dict[int, int] = {}
        self._poll, self._heartbeat = poll_seconds, heartbeat_seconds

    def poll_seconds(self) -> float:
        """How long a stream may wait before it re-queries anyway."""
        return self._poll

    def publish(self, user_ids: Iterable[int]) -> None:
        """Wake the streams of these users (called after the commit that added their events)."""
        self.wake(user_ids)

    def wake(self, user_ids: Iterable[int] | None = None) -> None:
        """Wake these users' streams in this process (None: every stream)."""
        with self.lock:
            targets = list(self.subscribers) if user_ids is None else [u for u in user_ids if u in self.subscribers]
            for user_id in targets:
                self.versions[user_id] = self.versions.get(user_id, 0) + 1
                self.conditions[user_id].notify_all()

    @contextlib.contextmanager
    def subscription(self, user_id: int) -> Iterator[Subscription]:
        """Subscribe a stream to its user for as long as the block runs."""
        with self.lock:
            self.subscribers[user_id] = self.subscribers.get(user_id, 0) + 1
            self.conditions.setdefault(user_id, threading.Condition(self.lock))
            self.versions.setdefault(user_id, 0)
        self._started()
        try:
            yield Subscription(self, user_id)
        finally:
            with self.lock:
                self.subscribers[user_id] -= 1
                if not self.subscribers[user_id]:
                    del self.subscribers[user_id], self.conditions[user_id], self.versions[user_id]

    def _started(self) -> None:
        """Hook for the Redis bus to start its listener on first use (after gunicorn forks)."""


class RedisBus(LocalBus):
    """Redis pub/sub between processes; in-process wake-ups as well. Redis down: streams poll."""

    def __init__(self, url: str, poll_seconds: float = 1.0, heartbeat_seconds: float = 15.0):
        super().__init__(poll_seconds, heartbeat_seconds)
        self.url = url
        self.connected = threading.Event()
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        self._publisher = None

    def poll_seconds(self) -> float:
        """Live subscription: wait up to the heartbeat; otherwise re-query every poll interval."""
        return self._heartbeat if self.connected.is_set() else self._poll

    def publish(self, user_ids: Iterable[int]) -> None:
        """Publish the ids to every process; if Redis is down, wake this process (others poll)."""
        ids = list(user_ids)
        from redis import Redis
        from redis.exceptions import RedisError

        try:
            if self._publisher is None:
                self._publisher = Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
            self._publisher.publish(CHANNEL, ",".join(map(str, ids)))
        except RedisError as exc:
            log.warning("event bus: Redis publish failed (%s); streams fall back to polling", exc)
            self.wake(ids)

    def _started(self) -> None:
        with self.lock:
            if self._listener is None or not self._listener.is_alive():
                self._listener = threading.Thread(target=self._listen, name="event-bus-listener", daemon=True)
                self._listener.start()

    def stop(self) -> None:
        """Stop the listener thread (tests)."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.join(timeout=5)

    def _listen(self) -> None:
        from redis import Redis
        from redis.exceptions import RedisError

        while not self._stopping.is_set():
            pubsub = None
            try:
                client = Redis.from_url(self.url, socket_connect_timeout=1, health_check_interval=5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                self.connected.set()
                self.wake(None)  # anything published while we were away: every stream re-queries once
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self.wake(int(x) for x in message["data"].split(b",") if x)
            except (RedisError, OSError) as exc:
                if self.connected.is_set():
                    log.warning("event bus: lost Redis (%s); streams poll every %ss", exc, self._poll)
                    self.connected.clear()
                    self.wake(None)  # waiting streams shorten their wait to the poll interval
                time.sleep(min(self._poll, 1.0))
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        pubsub.close()
        self.connected.clear()


def build_bus(config) -> LocalBus:
    """The bus named by EVENTS_BUS (auto: Redis when REDIS_URL is set, else in-process)."""
    kind = config.get("EVENTS_BUS", "auto")
    poll, beat = config["STREAM_POLL_SECONDS"], config["STREAM_HEARTBEAT_SECONDS"]
    if kind == "redis" or (kind == "auto" and config.get("REDIS_URL")):
        return RedisBus(config["REDIS_URL"], poll, beat)
    return LocalBus(poll, beat)


def init_bus(app: Flask) -> None:
    """Give the app its bus."""
    app.extensions["event_bus"] = build_bus(app.config)


def bus() -> LocalBus:
    """The current app's bus."""
    return current_app.extensions["event_bus"]
