"""The live stream under load (issue 13): send -> receive latency between two streaming clients with
500 idle streams open on the same server, sends per second with 50 active conversations, memory
per open stream.

    python -m benchmarks.streams [--idle 500] [--sends 200] [--conversations 50] [--seconds 20]
                                 [--threads 200] [--database cc_streams] [--redis-db 7]

The stack of `make prod-check` (gunicorn gthread with gunicorn.conf.py, Redis as the bus, the demo
data), with one worker per core plus one and GUNICORN_THREADS threads each. Idle streams belong to
the demo's clients and coaches in turn and start with a resync to their latest event (no replay); one
thread reads and drops whatever they get (heartbeats). A stream refused with 503 (its worker at
STREAM_CAP) is tried again until all are open; how many retries it took is printed. STREAM_SECONDS
is raised for the run so an idle stream stays open throughout (the resume after 5 minutes is
tested in tests/realtime). Latency is the wall time from just before the POST /api/messages/send
to the message.new event's arrival on the recipient's stream, one message at a time. Memory is
the workers' resident memory (VmRSS, summed) with the idle streams open minus before, per stream.
Targets: p95 under 200 ms at 500 open streams; no message lost or duplicated.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import selectors
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from benchmarks.prod_stack import BIN, ROOT, Stack, production_stack
from benchmarks.run import ROLE_LOGINS, percentile
from tests.realtime.sse_client import open_raw, read_stream

P95_TARGET_MS = 200.0
TOKENS = """
import json
from app import create_app
from app.accounts.models import User
from app.accounts.tokens import create_api_token
from app.extensions import db

app = create_app()
with app.app_context():
    people = [u for u in User.query.order_by(User.id) if u.is_active and (u.has_role("client") or u.has_role("coach"))]
    out = []
    for user in people:
        _, plain = create_api_token(user, "streams bench")
        out.append({"id": user.id, "email": user.email, "coach": user.has_role("coach"), "token": plain})
    db.session.commit()
    print(json.dumps(out))
"""


@dataclass
class Person:
    """A demo user the bench acts as, with a fresh API token."""

    id: int
    email: str
    coach: bool
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _people(stack: Stack) -> list[Person]:
    env = {**os.environ, "DATABASE_URL": stack.database_url, "APP_ENV": "development", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [str(BIN / "python"), "-c", TOKENS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"creating tokens failed:\n{done.stderr[-3000:]}")
    return [Person(**row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def _api(stack: Stack, person: Person, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    """POST JSON as `person`; (status, body), the response headers into `headers` if given."""
    req = urllib.request.Request(
        stack.base + path,
        data=json.dumps(body).encode(),
        headers={**person.headers, "Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            (headers if headers is not None else {}).update(resp.headers)
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _workers(stack: Stack) -> list[int]:
    master = stack.processes["web"].pid
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        found.append(int(entry))
            except OSError:
                continue
    return sorted(found)


def _status(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def workers_memory(stack: Stack) -> tuple[int, int]:
    """The web workers' resident memory (KiB) and threads, summed."""
    pids = _workers(stack)
    return sum(_status(p, "VmRSS") for p in pids), sum(_status(p, "Threads") for p in pids)


@dataclass
class IdleStreams:
    """Many open /api/stream connections whose bytes one thread reads and drops."""

    port: int
    sockets: list = field(default_factory=list)
    refused: int = 0
    closed: int = 0
    selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    stop: threading.Event = field(default_factory=threading.Event)

    def open_one(self, person: Person, cursor: int) -> None:
        """Connect until the server answers 200 (a worker at its cap answers 503: try again)."""
        while True:
            sock, head = open_raw(self.port, {**person.headers, "Last-Event-ID": str(cursor)})
            if head.startswith(b"HTTP/1.1 200"):
                sock.setblocking(False)
                self.sockets.append(sock)
                self.selector.register(sock, selectors.EVENT_READ)
                return
            sock.close()
            if not head.startswith(b"HTTP/1.1 503"):
                raise RuntimeError(f"/api/stream answered {head[:80]!r}")
            self.refused += 1
            time.sleep(0.05)

    def drain(self) -> None:
        """Read and drop (heartbeats, the events of their users) until told to stop."""
        while not self.stop.is_set():
            for key, _ in self.selector.select(timeout=0.5):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.selector.unregister(key.fileobj)
                    self.closed += 1

    def close(self) -> None:
        """Hang up every stream."""
        self.stop.set()
        for sock in self.sockets:
            sock.close()


class Inbox:
    """message.new events arriving on one user's stream, by client_msg_id, with their arrival time."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.arrived: dict[str, float] = {}
        self.ids: list[int] = []
        self.open = threading.Event()
        self.refused = 0

    def on_event(self, event) -> None:
        self.open.set()  # the first event is the resync (FRESH is nobody's cursor)
        if event.type != "message.new":
            return
        with self.cond:
            self.arrived.setdefault(event.data["message"]["client_msg_id"], time.perf_counter())
            self.ids.append(event.data["message"]["id"])
            self.cond.notify_all()

    def wait_for(self, key: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while key not in self.arrived:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.arrived[key]


def listen(port: int, person: Person, cursor: int) -> Inbox:
    """A streaming client for `person` on its own thread (as a browser tab: refused with 503 at a
    worker's cap, it tries again; ended, it resumes after its last event)."""
    inbox = Inbox()
    headers = {**person.headers, "Host": "127.0.0.1"}

    def run() -> None:
        last = cursor
        while True:
            try:
                reading = read_stream(port, headers, last, on_event=inbox.on_event, timeout=60)
            except OSError:  # the stack is stopping (or a worker restarted): a tab would retry
                time.sleep(0.5)
                continue
            if reading.status != 200:
                inbox.refused += 1
                time.sleep(0.05)
            elif reading.events:
                last = max(e.id for e in reading.events if e.id is not None)

    threading.Thread(target=run, daemon=True).start()
    if not inbox.open.wait(30):
        raise RuntimeError(f"the stream of {person.email} did not open")
    return inbox


FRESH = 2**62  # a cursor no user has: the stream answers `resync` to the user's latest event, then waits


def _thread_between(stack: Stack, client: Person, coach: Person) -> int | None:
    with stack.db() as conn:
        row = conn.execute("SELECT id FROM coach_profiles WHERE user_id = %s", (coach.id,)).fetchone()
    if row is None:
        return None
    status, body = _api(stack, client, "/api/messages/thread", {"coach_id": row[0]})
    return body["id"] if status in (200, 201) else None


def latency(stack: Stack, port: int, sender: Person, receiver: Person, sends: int) -> dict:
    """One message at a time from `sender`; each one's send -> arrival time on the receiver's stream."""
    thread_id = _thread_between(stack, sender, receiver)
    inbox = listen(port, receiver, FRESH)
    timings, posts, server, statements, lost, run = [], [], [], set(), 0, secrets.token_hex(4)
    for i in range(sends):
        key, answer = f"lat-{run}-{i}", {}
        started = time.perf_counter()
        status, _ = _api(
            stack, sender, "/api/messages/send", {"thread_id": thread_id, "body": key, "client_msg_id": key}, answer
        )
        posts.append((time.perf_counter() - started) * 1000)
        server.append(float(answer.get("X-Server-Time-ms", "nan")))  # BENCH_INSTRUMENT's headers
        statements.add(int(answer.get("X-Query-Count", -1)))
        if status != 201:
            raise RuntimeError(f"send answered {status}")
        arrived = inbox.wait_for(key, 10.0)
        if arrived is None:
            lost += 1
        else:
            timings.append((arrived - started) * 1000)
        time.sleep(0.05)
    duplicates = len(inbox.ids) - len(set(inbox.ids))
    return {"timings": timings, "posts": posts, "server": server, "statements": sorted(statements), "lost": lost,
            "duplicates": duplicates}  # fmt: skip


def conversations(stack: Stack, port: int, pairs: list[tuple[Person, Person, int]], seconds: float) -> dict:
    """Every client sends to its coach as fast as answers come back; each coach's stream must get every message once."""
    cursor = FRESH
    inboxes = {coach.id: listen(port, coach, cursor) for _, coach, _ in pairs}
    sent: dict[int, list[str]] = {coach.id: [] for _, coach, _ in pairs}
    started_at: dict[str, float] = {}
    failures: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    run = secrets.token_hex(4)

    def drive(client: Person, coach: Person, thread_id: int) -> None:
        n = 0
        while time.monotonic() < stop_at:
            key = f"c-{run}-{thread_id}-{n}"
            n += 1
            started = time.perf_counter()
            status, _ = _api(
                stack, client, "/api/messages/send", {"thread_id": thread_id, "body": key, "client_msg_id": key}
            )
            with lock:
                if status == 201:
                    sent[coach.id].append(key)
                    started_at[key] = started
                else:
                    failures.append(status)

    began = time.monotonic()
    threads = [threading.Thread(target=drive, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began
    lost, timings = 0, []
    for coach_id, keys in sent.items():
        for key in keys:
            arrived = inboxes[coach_id].wait_for(key, 15.0)
            if arrived is None:
                lost += 1
            else:
                timings.append((arrived - started_at[key]) * 1000)
    duplicates = sum(len(i.ids) - len(set(i.ids)) for i in inboxes.values())
    total = sum(len(keys) for keys in sent.values())
    return {
        "sent": total,
        "took": took,
        "lost": lost,
        "duplicates": duplicates,
        "failures": failures,
        "timings": timings,
    }


def _pairs(stack: Stack, people: list[Person], skip: set[int], count: int) -> list[tuple[Person, Person, int]]:
    coaches = [p for p in people if p.coach and p.id not in skip]
    clients = [p for p in people if not p.coach and p.id not in skip]
    pairs = []
    for i, coach in enumerate(coaches):
        if len(pairs) == count:
            break
        client = clients[i % len(clients)]
        thread_id = _thread_between(stack, client, coach)
        if thread_id is not None:
            pairs.append((client, coach, thread_id))
    return pairs


def _ms(values: list[float]) -> str:
    if not values:
        return "no arrivals"
    return (
        f"p50 {percentile(values, 0.5):.0f} ms, p95 {percentile(values, 0.95):.0f} ms, "
        f"max {max(values):.0f} ms over {len(values)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Start the stack, open the idle streams, measure, print, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--sends", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "200")))
    parser.add_argument("--database", default="cc_streams")
    parser.add_argument("--redis-db", type=int, default=7)
    args = parser.parse_args(argv)
    workers = len(os.sched_getaffinity(0)) + 1  # gunicorn.conf.py's default
    os.environ.update({"GUNICORN_THREADS": str(args.threads), "STREAM_SECONDS": "3600", "BENCH_INSTRUMENT": "1"})
    os.environ.pop("STREAM_CAP", None)  # gunicorn.conf.py derives it: threads - page threads
    with production_stack(args.database, args.redis_db, web_workers=workers) as stack:
        port = urlsplit(stack.base).port
        people = _people(stack)
        client = next(p for p in people if p.email == ROLE_LOGINS["client"])
        coach = next(p for p in people if p.email == ROLE_LOGINS["coach"])
        others = [p for p in people if p.id not in (client.id, coach.id)]
        time.sleep(2.0)
        rss_before, threads_before = workers_memory(stack)
        idle = IdleStreams(port)
        cursor = FRESH
        opening = time.monotonic()
        for i in range(args.idle):
            try:
                idle.open_one(others[i % len(others)], cursor)
            except OSError as exc:
                raise RuntimeError(
                    f"stream {i + 1} of {args.idle} did not open: {exc}; {workers_memory(stack)}"
                ) from exc
            if (i + 1) % 100 == 0:
                print(f"  ({i + 1} idle streams open, {idle.refused} refused so far)", file=sys.stderr, flush=True)
        opened_in = time.monotonic() - opening
        drainer = threading.Thread(target=idle.drain, daemon=True)
        drainer.start()
        time.sleep(3.0)
        rss_after, threads_after = workers_memory(stack)
        per_stream = (rss_after - rss_before) / max(1, args.idle)
        print(
            f"Live streams on the production configuration ({workers} gthread workers x {args.threads} threads, "
            f"STREAM_CAP {args.threads - 10} per worker, Redis bus), load average {os.getloadavg()[0]:.1f}:",
            flush=True,
        )
        print(
            f"  {args.idle} idle streams open in {opened_in:.1f} s ({idle.refused} answers 503 at a worker's cap, "
            f"tried again); workers' memory {rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MiB, "
            f"{per_stream:.0f} KiB per open stream; threads {threads_before} -> {threads_after}",
            flush=True,
        )
        single = latency(stack, port, client, coach, args.sends)
        print(
            f"  send -> receive, one message at a time between two streaming clients, {args.idle} idle streams "
            f"open: {_ms(single['timings'])} (the POST's own answer: {_ms(single['posts'])}; inside the server "
            f"{_ms(single['server'])}, {'/'.join(map(str, single['statements']))} SQL statements per send); "
            f"lost {single['lost']}, duplicated {single['duplicates']}",
            flush=True,
        )
        pairs = _pairs(stack, others, set(), args.conversations)
        busy = conversations(stack, port, pairs, args.seconds)
        print(
            f"  {len(pairs)} active conversations for {busy['took']:.0f} s: {busy['sent']} messages, "
            f"{busy['sent'] / busy['took']:.1f} sends per second; delivery {_ms(busy['timings'])}; "
            f"lost {busy['lost']}, duplicated {busy['duplicates']}, refused sends {len(busy['failures'])} "
            f"{sorted(set(busy['failures']))[:5]}",
            flush=True,
        )
        print(f"  idle streams still open at the end: {len(idle.sockets) - idle.closed} of {args.idle}", flush=True)
        idle.close()
    p95 = percentile(single["timings"], 0.95) if single["timings"] else float("inf")
    clean = not (single["lost"] or single["duplicates"] or busy["lost"] or busy["duplicates"])
    met = p95 < P95_TARGET_MS and clean
    print(
        f"streams: p95 {p95:.0f} ms at {args.idle} open streams (target under {P95_TARGET_MS:.0f} ms), "
        f"{'no' if clean else 'SOME'} messages lost or duplicated: {'met' if met else 'NOT met'}",
        flush=True,
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
