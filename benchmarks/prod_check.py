"""`make prod-check`: the production configuration started locally, walked once as its users would.

    python -m benchmarks.prod_check [--database cc_prodcheck] [--redis-db 7]

gunicorn with gunicorn.conf.py (gthread), the rq `worker` and `money-worker` with docker-compose.yml's
arguments, the clock, this machine's PostgreSQL and Redis, SMTP to a local aiosmtpd,
APP_ENV=production with the offline payment gateway. The walk, through the real pages and forms:
a client logs in, books the first free slot of a listed coach and pays with a test card; the
confirmation mail arrives over SMTP; finance logs in with TOTP and refunds part of it (the worker
sends the refund); an admin logs in with TOTP and builds last month's finance report (the worker
writes it); /readyz is green and /metrics counts no 5xx. Each step prints one line; the first
failure stops the walk, prints the processes' last log lines and exits 1. Everything is stopped.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser

from benchmarks.http import Session
from benchmarks.prod_stack import Stack, production_stack
from benchmarks.run import DEMO_PASSWORD, ROLE_LOGINS


class Forms(HTMLParser):
    """Every <form> of a page: its action and the values a browser would submit by default."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind not in ("radio", "checkbox") or "checked" in a:
                self.forms[-1]["fields"].setdefault(a["name"], a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.forms[-1]["fields"].setdefault(a["name"], "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            fields = self.forms[-1]["fields"]
            if self._select not in fields or "selected" in a:
                fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_on(html: str, action_contains: str) -> dict:
    """The default fields of the first form whose action contains `action_contains` (a form with no
    action posts to its own page: pass that page's path)."""
    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        if action_contains in (form["action"] or action_contains):
            return dict(form["fields"])
    raise AssertionError(f"no form posting to …{action_contains} on the page")


def _page(session: Session, path: str, data: dict | None = None) -> tuple[str, str]:
    resp = session.request(path, data)
    if resp.status >= 400:
        raise AssertionError(f"{path} answered {resp.status}")
    return resp.body.decode(), urllib.parse.urlsplit(resp.url).path


def _staff(stack: Stack, role: str) -> Session:
    with stack.db() as db:
        (secret,) = db.execute("SELECT totp_secret FROM users WHERE email = %s", (ROLE_LOGINS[role],)).fetchone()
    session = Session(stack.base)
    session.login(ROLE_LOGINS[role], DEMO_PASSWORD, secret)
    return session


def _wait(what: str, check: Callable[[], object], seconds: float = 90) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {seconds:.0f} s")


def book_and_pay(stack: Stack) -> tuple[int, int]:
    """The client's journey: a coach, the first slot, review, hold, pay. (booking id, payment id)"""
    client = Session(stack.base)
    client.login(ROLE_LOGINS["client"], DEMO_PASSWORD, None)
    html, _ = _page(client, "/coaches")
    coach_id = re.search(r'href="/coaches/(\d+)"', html).group(1)
    html, _ = _page(client, f"/coaches/{coach_id}/book")
    type_id = re.search(r"session_type_id=(\d+)", html).group(1)
    html, _ = _page(client, f"/coaches/{coach_id}/book?session_type_id={type_id}")
    starts_at = re.search(r'name="starts_at" value="([^"]+)"', html).group(1)
    query = urllib.parse.urlencode({"session_type_id": type_id, "starts_at": starts_at, "notes": "prod-check"})
    html, _ = _page(client, f"/coaches/{coach_id}/book/review?{query}")
    html, path = _page(client, f"/coaches/{coach_id}/book", form_on(html, f"/coaches/{coach_id}/book"))
    booking_id = int(re.fullmatch(r"/bookings/(\d+)/pay", path).group(1))
    fields = {**form_on(html, path), "payment_method": "pm_card_visa"}
    html, path = _page(client, path, fields)
    payment_id = int(re.fullmatch(r"/payments/(\d+)", path).group(1))
    return booking_id, payment_id


def refund_part(stack: Stack, payment_id: int) -> int:
    """Finance refunds 10.00 of the payment through the two-step form; the worker sends it. (refund id)"""
    finance = _staff(stack, "finance")
    path = f"/staff/finance/payments/{payment_id}"
    html, _ = _page(finance, path)
    fields = {**form_on(html, f"{path}/refund"), "amount": "10.00", "note": "prod-check"}
    html, _ = _page(finance, f"{path}/refund", fields)
    _page(finance, f"{path}/refund/confirm", form_on(html, f"{path}/refund/confirm"))

    def succeeded():
        with stack.db() as db:
            row = db.execute(
                "SELECT id FROM refunds WHERE payment_id = %s AND status = 'succeeded'", (payment_id,)
            ).fetchone()
        return row and row[0]

    return _wait("the refund sent by the worker", succeeded)


def build_report(stack: Stack) -> int:
    """An admin starts last month's finance report; the worker builds it; both files download. (report id)"""
    admin = _staff(stack, "admin")
    html, _ = _page(admin, "/staff/reports/")
    today = datetime.now(UTC).date()
    last_month = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    _page(admin, "/staff/reports/", {**form_on(html, "/staff/reports/"), "kind": "finance", "period": last_month})
    with stack.db() as db:
        (report_id,) = db.execute("SELECT max(id) FROM reports").fetchone()

    def done():
        with stack.db() as db:
            (status,) = db.execute("SELECT status FROM reports WHERE id = %s", (report_id,)).fetchone()
        if status == "failed":
            raise AssertionError("the report job failed")
        return status == "done"

    _wait("the report built by the worker", done, 180)
    for fmt in ("pdf", "csv"):
        resp = admin.request(f"/staff/reports/{report_id}/download.{fmt}")
        assert resp.status == 200 and len(resp.body) > 100, f"report {fmt}: {resp.status}, {len(resp.body)} bytes"
    return report_id


def answers_by_status(stack: Stack) -> dict[str, float]:
    """Responses counted by /metrics (basic auth with the metrics token), by status class."""
    req = urllib.request.Request(f"{stack.base}/metrics")
    token = base64.b64encode(f"prometheus:{stack.metrics_token}".encode()).decode()
    req.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read().decode()
    counts: dict[str, float] = {}
    sample = re.compile(r"^coach_connect_http_request_duration_seconds_count\{([^}]*)\} ([0-9.e+]+)$", re.M)
    for labels, value in sample.findall(text):
        status = re.search(r'status="(\w+)"', labels).group(1)
        counts[status] = counts.get(status, 0.0) + float(value)
    return counts


def walk(stack: Stack, say: Callable[[str], None]) -> None:
    """Every step, in order; raises on the first one that fails."""
    booking_id, payment_id = book_and_pay(stack)
    say(f"client booked and paid: booking {booking_id}, payment {payment_id}")

    def confirmation_mailed():
        return ROLE_LOGINS["client"] in stack.smtp_log.read_text()

    _wait("the booking mail at the SMTP server", confirmation_mailed)
    say("mail to the client arrived over SMTP (sent by the worker)")
    say(f"finance refunded 10.00 with TOTP: refund {refund_part(stack, payment_id)} succeeded")
    say(f"admin built last month's finance report with TOTP: report {build_report(stack)}, PDF and CSV")
    ready = Session(stack.base).request("/readyz")
    assert ready.status == 200, f"/readyz answered {ready.status}: {ready.body[:300]!r}"
    say("/readyz: 200 (database, Redis, migration head)")
    counts = answers_by_status(stack)
    assert counts.get("2xx", 0) > 0, f"/metrics counted no successful responses: {counts}"
    assert counts.get("5xx", 0) == 0, f"/metrics counts {counts['5xx']:.0f} responses with a 5xx status"
    say(f"/metrics: {counts.get('2xx', 0):.0f} 2xx, {counts.get('3xx', 0):.0f} 3xx, no 5xx")
    assert all(stack.alive().values()), f"a process died: {stack.alive()}"


def main(argv: list[str] | None = None) -> int:
    """Start the stack, walk it, stop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cc_prodcheck")
    parser.add_argument("--redis-db", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.monotonic()

    def say(line: str) -> None:
        print(f"prod-check {time.monotonic() - started:6.1f} s  {line}", flush=True)

    try:
        with production_stack(args.database, args.redis_db) as stack:
            say(f"gunicorn (gthread), the rq worker and money-worker and the clock answer at {stack.base}")
            walk(stack, say)
    except AssertionError as exc:
        say(f"FAILED: {exc}")
        return 1
    say("passed; every process stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
