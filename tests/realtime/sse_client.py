"""A small Server-Sent Events reader over http.client, as a browser's EventSource reads a stream."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Event:
    """One dispatched event (its blank line arrived)."""

    id: int | None
    type: str
    data: dict


@dataclass
class Reading:
    """What one connection delivered before it ended or was cut."""

    status: int
    headers: dict
    events: list[Event] = field(default_factory=list)
    comments: int = 0
    ended_by_server: bool = False
    body: str = ""


def read_stream(
    port: int,
    headers: dict,
    last_event_id: int | None = None,
    max_lines: int | None = None,
    timeout: float = 30,
    on_event: Callable[[Event], None] | None = None,
) -> Reading:
    """Open /api/stream, read until the server ends it or `max_lines` lines were read, then hang up.

    An event counts only once its terminating blank line is read, so a cut in the middle of an
    event drops it, as EventSource does; `last_event_id` is sent as the Last-Event-ID header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    sent = {"Host": "localhost", "Accept": "text/event-stream", **headers}
    if last_event_id is not None:
        sent["Last-Event-ID"] = str(last_event_id)
    try:
        conn.request("GET", "/api/stream", headers=sent)
        resp = conn.getresponse()
        reading = Reading(resp.status, dict(resp.getheaders()))
        if resp.status != 200:
            reading.body = resp.read().decode()
            return reading
        fields: dict[str, str] = {}
        lines = 0
        while max_lines is None or lines < max_lines:
            raw = resp.readline()
            if not raw:
                reading.ended_by_server = True
                break
            lines += 1
            line = raw.decode().rstrip("\n")
            if line.startswith(":"):
                reading.comments += 1
            elif line:
                name, _, value = line.partition(": ")
                fields[name] = value
            elif "data" in fields:
                ident = int(fields["id"]) if "id" in fields else None
                reading.events.append(Event(ident, fields.get("event", "message"), json.loads(fields["data"])))
                if on_event is not None:
                    on_event(reading.events[-1])
                fields = {}
            else:
                fields = {}
        return reading
    finally:
        conn.close()


def open_raw(port: int, headers: dict, timeout: float = 30):
    """Open GET /api/stream on a plain socket and read up to the end of the response head; returns
    (socket, head bytes). The stream stays open for the caller to read or hang up (idle tabs)."""
    import socket

    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    lines = "".join(f"{k}: {v}\r\n" for k, v in {"Host": "127.0.0.1", **headers}.items())
    sock.sendall(f"GET /api/stream HTTP/1.1\r\n{lines}\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return sock, head
