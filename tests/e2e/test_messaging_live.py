"""Client and coach talk on a session's thread in two browsers: live delivery within a second,
"Seen", messages sent while the coach is offline arriving in order, and the bell."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, client_login, snap
from tests.messaging.helpers import confirmed_session

pytestmark = pytest.mark.e2e


def _open_thread(browser, base: str, user, thread_id: int):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    client_login(page, base, user)
    page.goto(f"{base}/messages/{thread_id}")
    page.locator("body[data-live=open]").wait_for()
    return context, page


def _send(page, text: str) -> None:
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_client_and_coach_talk_live(browser, live_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 120.0)  # the suite's default ends streams at once
    booking, thread = confirmed_session()
    booking.client.first_name, booking.client.last_name = "Cleo", "Hill"
    booking.coach.user.first_name = "Cora"
    from app.extensions import db

    db.session.commit()
    client_ctx, client_page = _open_thread(browser, live_server, booking.client, thread.id)
    coach_ctx, coach_page = _open_thread(browser, live_server, booking.coach.user, thread.id)
    theirs = coach_page.locator("#messages li.theirs .body")

    started = time.monotonic()
    _send(client_page, "Hello Cora, looking forward to Tuesday.")
    expect(theirs.last).to_have_text("Hello Cora, looking forward to Tuesday.", timeout=1000)
    assert time.monotonic() - started < 1.0, "the coach saw it within a second, without a reload"
    expect(client_page.locator("#receipt")).to_have_text("Seen")  # the coach's open page read it
    snap(client_page, "messaging-1-client-seen")
    assert_accessible(client_page)

    coach_ctx.set_offline(True)
    batch = [f"Offline note {i}" for i in range(1, 6)]
    for text in batch:
        _send(client_page, text)
    expect(client_page.locator("#messages li.mine[data-message-id]")).to_have_count(6)
    coach_ctx.set_offline(False)
    expect(theirs).to_have_count(6, timeout=15_000)
    assert theirs.all_inner_texts()[1:] == batch, "exactly those five, in order, once each"
    expect(client_page.locator("#receipt")).to_have_text("Seen", timeout=10_000)
    snap(client_page, "messaging-readme")  # app/static/img/readme-messages-live.png
    snap(coach_page, "messaging-2-coach-after-offline")

    coach_page.goto(f"{live_server}/dashboard")
    coach_page.locator("body[data-live=open]").wait_for()
    bell = coach_page.locator("a.bell [data-badge=notifications]")
    expect(bell).to_have_text("1")  # the session's confirmation
    _send(client_page, "One more thing")
    expect(bell).to_have_text("2", timeout=2000)
    messages_badge = coach_page.locator("[data-badge=messages]")
    expect(messages_badge).to_have_text("1")
    snap(coach_page, "messaging-3-coach-bell")
    coach_page.locator("a.bell").click()
    unread = coach_page.locator("li.notification.unread")
    expect(unread).to_have_count(2)  # the confirmation and the thread's latest message
    expect(unread.first.get_by_role("link")).to_have_text("New message from Cleo Hill")
    assert_accessible(coach_page)
    snap(coach_page, "messaging-4-notifications")
    client_ctx.close()
    coach_ctx.close()


def test_the_draft_survives_a_reload(browser, live_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 120.0)
    booking, thread = confirmed_session()
    context, page = _open_thread(browser, live_server, booking.client, thread.id)
    page.get_by_label("Message").fill("Half a thought")
    page.reload()
    expect(page.get_by_label("Message")).to_have_value("Half a thought")
    context.close()


def test_a_file_reaches_the_other_side_live_and_a_refused_one_keeps_the_text(browser, live_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 120.0)
    booking, thread = confirmed_session()
    client_ctx, client_page = _open_thread(browser, live_server, booking.client, thread.id)
    coach_ctx, coach_page = _open_thread(browser, live_server, booking.coach.user, thread.id)
    chooser = client_page.get_by_label("Attach a file")

    chooser.set_input_files({"name": "setup.pdf", "mimeType": "application/pdf", "buffer": b"\x7fELF\x02\x01" * 50})
    client_page.get_by_label("Message").fill("My notes, attached")
    client_page.get_by_role("button", name="Send").click()
    expect(client_page.locator("#attachment-err")).to_have_text(
        "This file is not a PDF, PNG or JPEG (we check the file's contents, not its name)."
    )
    expect(client_page.get_by_label("Message")).to_have_value("My notes, attached")
    snap(client_page, "messaging-5-file-refused")

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    chooser.set_input_files({"name": "goals.pdf", "mimeType": "application/pdf", "buffer": pdf})
    started = time.monotonic()
    client_page.get_by_role("button", name="Send").click()
    link = coach_page.locator("#messages li.theirs").last.get_by_role("link", name="goals.pdf")
    expect(link).to_be_visible(timeout=2000)
    assert time.monotonic() - started < 2.0, "the file arrived with its message, without a reload"
    expect(coach_page.locator("#messages li.theirs .body").last).to_have_text("My notes, attached")
    expect(coach_page.locator("#messages li.theirs ul.attachments li").last).to_have_text(
        f"goals.pdf ({len(pdf)} Bytes)"
    )
    expect(client_page.locator("#attachment-err")).to_have_count(0)
    with coach_page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "goals.pdf"
    assert Path(download.value.path()).read_bytes() == pdf
    from tests.verification.files import image_bytes

    chooser.set_input_files({"name": "board.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (1600, 900))})
    client_page.get_by_role("button", name="Send").click()
    preview = coach_page.locator("#messages li.theirs").last.get_by_role("img", name="board.png")
    expect(preview).to_be_visible(timeout=2000)
    coach_page.wait_for_function("img => img.complete && img.naturalWidth === 1024", arg=preview.element_handle())
    snap(coach_page, "messaging-6-file-received")  # app/static/img/readme-messages-attachments.png
    client_ctx.close()
    coach_ctx.close()


def test_messages_written_offline_wait_in_the_outbox_and_go_once_when_back(browser, live_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 120.0)
    booking, thread = confirmed_session()
    client_ctx, client_page = _open_thread(browser, live_server, booking.client, thread.id)
    coach_ctx, coach_page = _open_thread(browser, live_server, booking.coach.user, thread.id)
    theirs = coach_page.locator("#messages li.theirs .body")

    client_ctx.set_offline(True)
    for text in ("Written on the train", "Still no signal"):
        _send(client_page, text)
    expect(client_page.locator("#messages li.mine[data-pending]")).to_have_count(2)
    expect(client_page.locator("#receipt")).to_have_text("Offline: your message is sent when you are back online.")
    snap(client_page, "messaging-7-offline-outbox")
    client_ctx.set_offline(False)
    expect(theirs).to_have_count(2, timeout=15_000)
    assert theirs.all_inner_texts() == ["Written on the train", "Still no signal"]
    expect(client_page.locator("#messages li.mine[data-pending]")).to_have_count(0)

    client_ctx.set_offline(True)  # written offline, the tab closed before the network came back
    _send(client_page, "Sent from the tunnel")
    expect(client_page.locator("#messages li.mine[data-pending]")).to_have_count(1)
    client_page.close()
    client_ctx.set_offline(False)
    again = client_ctx.new_page()
    again.goto(f"{live_server}/messages/{thread.id}")
    expect(theirs).to_have_count(3, timeout=15_000)
    assert theirs.all_inner_texts()[-1] == "Sent from the tunnel"
    expect(again.locator("#messages li.mine[data-message-id]")).to_have_count(3)
    from app.messaging.models import Message

    assert [m.body for m in Message.query.order_by(Message.id)] == [
        "Written on the train",
        "Still no signal",
        "Sent from the tunnel",
    ], "each once, in the order written"
    client_ctx.close()
    coach_ctx.close()


def test_delivered_while_the_coach_is_elsewhere_then_seen_when_they_open_it(browser, live_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 120.0)
    booking, thread = confirmed_session()
    client_ctx, client_page = _open_thread(browser, live_server, booking.client, thread.id)
    coach_ctx = browser.new_context()
    coach_page = coach_ctx.new_page()
    client_login(coach_page, live_server, booking.coach.user)
    coach_page.goto(f"{live_server}/dashboard")
    coach_page.locator("body[data-live=open]").wait_for()  # the coach's stream is open, the thread is not
    _send(client_page, "Is the room booked?")
    expect(client_page.locator("#receipt")).to_have_text("Delivered", timeout=10_000)
    snap(client_page, "messaging-8-delivered")
    coach_page.goto(f"{live_server}/messages/{thread.id}")
    expect(client_page.locator("#receipt")).to_have_text("Seen", timeout=10_000)
    client_ctx.close()
    coach_ctx.close()


def test_a_resync_on_an_empty_thread_fetches_its_latest_page(browser, live_server, app, monkeypatch):
    """The stream's resync asks for what the page missed; on an empty thread that is the latest page
    (it asked for ?after=0, which is not an id: a 400, so the resync fetched nothing)."""
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 120.0)
    booking, thread = confirmed_session()
    context, page = _open_thread(browser, live_server, booking.client, thread.id)
    with page.expect_response(lambda r: f"/api/messages/threads/{thread.id}/messages" in r.url) as answer:
        page.evaluate("() => document.dispatchEvent(new CustomEvent('live:resync'))")
    assert answer.value.status == 200, answer.value.url
    context.close()
