"""The push worker in Chromium (issue 13): a pushed notification is shown with its title and body,
one per subject, and clicking it opens its thread.

Chromium's pushManager.subscribe() needs Google's push service (FCM), which this machine cannot
reach, so the subscription itself is not made here (tests/notifications/test_push.py covers the
server's side against a local push service). What runs here is everything after the push service:
the DevTools Protocol's ServiceWorker.deliverPushMessage hands the registered worker the payload
the server encrypts for a real notification (app.notifications.push.payload), as the push service
would after decrypting. A notification cannot be clicked in headless Chromium, and
clients.openWindow() is refused outside a trusted click; so the click is the worker's own
notificationclick listener, run on the shown notification with openWindow recorded, and the page
then opens that address.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.push import new_vapid_keys, payload
from tests.e2e.conftest import client_login, snap
from tests.messaging.helpers import Api, confirmed_session

pytestmark = pytest.mark.e2e
WORKER = "/static/js/push-worker.js"

SHOWN = """async (scope) => {
  const reg = await navigator.serviceWorker.getRegistration(scope);
  return (await reg.getNotifications()).map(n => ({title: n.title, body: n.body, tag: n.tag, link: n.data.link}));
}"""

CLICK = """async () => {
  const [notification] = await self.registration.getNotifications();
  const opened = [];
  const waits = [];
  self.clients.openWindow = (url) => { opened.push(url); return Promise.resolve(null); };
  const click = new NotificationEvent("notificationclick", {notification});
  click.waitUntil = (p) => waits.push(p);  // a script's event may not extend itself: record instead
  self.dispatchEvent(click);
  await Promise.all(waits);
  return {opened, left: (await self.registration.getNotifications()).length};
}"""


def _registration(cdp, scope_url: str, timeout: float = 10.0) -> str:
    """The DevTools registration id of the worker whose scope is `scope_url`, once it is active."""
    import time

    found: dict[str, str] = {}
    active: set[str] = set()
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: found.update({r["registrationId"]: r["scopeURL"] for r in e["registrations"]}),
    )
    cdp.on(
        "ServiceWorker.workerVersionUpdated",
        lambda e: active.update(v["registrationId"] for v in e["versions"] if v["status"] == "activated"),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = [rid for rid, scope in found.items() if scope == scope_url and rid in active]
        if ids:
            return ids[0]
        cdp.send("Runtime.evaluate", {"expression": "1"})  # let the session's events arrive
        time.sleep(0.1)
    raise AssertionError(f"no active worker for {scope_url}: {found}, active {active}")


def test_a_pushed_notification_is_shown_and_its_click_opens_the_thread(browser, live_server, app, monkeypatch, client):
    public, private = new_vapid_keys()
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", public)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    booking, thread = confirmed_session()
    booking.client.first_name, booking.client.last_name = "Cleo", "Hill"
    db.session.commit()
    coach = booking.coach.user
    for i, text in enumerate(["Running 5 minutes late", "Found parking, see you"]):
        assert Api(client, booking.client).send(thread.id, text, f"push-{i}").status_code == 201
    notification = db.session.scalars(db.select(Notification).filter_by(user_id=coach.id, kind="message")).one()
    pushed = payload(notification)
    assert (pushed["title"], pushed["tag"]) == ("New message from Cleo Hill (2)", f"thread:{thread.id}")

    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    client_login(page, live_server, coach)
    page.goto(f"{live_server}/notifications")
    expect(page.locator("#push-state")).to_have_text("Off on this device.")  # registered, not subscribed
    cdp = context.new_cdp_session(page)
    scope = f"{live_server}/static/js/"
    registration = _registration(cdp, scope)

    earlier = {**pushed, "title": "New message from Cleo Hill", "body": "Running 5 minutes late"}
    for data in (earlier, pushed):  # the same subject twice: the device keeps one notification (its tag)
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server, "registrationId": registration, "data": json.dumps(data)},
        )
    page.wait_for_function(
        "async (scope) => (await (await navigator.serviceWorker.getRegistration(scope)).getNotifications())"
        ".some(n => n.body === 'Found parking, see you')",
        arg=scope,
    )
    shown = page.evaluate(SHOWN, scope)
    assert shown == [
        {
            "title": "New message from Cleo Hill (2)",
            "body": "Found parking, see you",
            "tag": f"thread:{thread.id}",
            "link": f"/messages/{thread.id}",
        }
    ]

    worker = next(w for w in context.service_workers if w.url.split("?")[0].endswith(WORKER))
    clicked = worker.evaluate(CLICK)
    assert clicked == {"opened": [f"{live_server}/messages/{thread.id}"], "left": 0}, "opens the thread, closes it"
    page.goto(clicked["opened"][0])
    expect(page.locator("#messages li.theirs .body").last).to_have_text("Found parking, see you")
    snap(page, "push-click-opened-thread")
    context.close()
