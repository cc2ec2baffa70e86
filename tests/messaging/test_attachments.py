"""Message attachments: a participant uploads a PDF, PNG or JPEG and sends it; only the thread's
participants fetch it, as a download; a refused file says why beside its field and loses nothing."""

from __future__ import annotations

import io
import re

from app.community.models import WatchedWord
from app.core.models import AuditLog
from app.core.storage import storage
from app.extensions import db
from app.messaging.models import Message, MessageAttachment
from app.notifications.models import Notification
from app.realtime.models import UserEvent
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.messaging.helpers import Api, confirmed_session, multipart
from tests.verification import files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LIMIT = 10 * 1024 * 1024


def _stored() -> list:
    return storage().list_objects()


def test_a_sent_pdf_reaches_the_other_side_live_and_downloads_as_an_attachment(client):
    booking, thread = confirmed_session()
    sender, coach = Api(client, booking.client), Api(client, booking.coach.user)
    up = sender.upload(thread.id, "goals.pdf", PDF)
    assert up.status_code == 201, up.get_json()
    meta = up.get_json()
    assert set(meta) == {"id", "filename", "content_type", "size", "url", "preview_url"}
    assert (meta["filename"], meta["content_type"], meta["size"]) == ("goals.pdf", "application/pdf", len(PDF))
    assert meta["preview_url"] is None, "a PDF is never shown inline"
    assert coach.get(meta["url"]).status_code == 404, "not sent yet: only its uploader sees it"

    sent = sender.send(thread.id, "My goals, as promised", "m-1", [meta["id"]])
    assert sent.status_code == 201
    assert sent.get_json()["attachments"] == [meta]
    event = UserEvent.query.filter_by(user_id=booking.coach.user_id, type="message.new").one()
    assert event.payload["message"]["attachments"] == [meta], "the recipient's stream carries the file"

    got = coach.get(meta["url"])
    assert got.status_code == 200
    assert got.data == PDF and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"] == 'attachment; filename="goals.pdf"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in got.headers["Cache-Control"]
    page = coach.get(f"/api/messages/threads/{thread.id}/messages").get_json()
    assert page["messages"][-1]["attachments"] == [meta]
    assert AuditLog.query.filter_by(action="message_attachment.upload", object_id=str(meta["id"])).count() == 1


def test_a_file_alone_is_a_message_and_its_notification_names_it(client):
    booking, thread = confirmed_session()
    sender = Api(client, booking.client)
    meta = sender.upload(thread.id, "scan.png", files.image_bytes("PNG")).get_json()
    sent = sender.send(thread.id, "", "m-2", [meta["id"]])
    assert sent.status_code == 201 and sent.get_json()["body"] == ""
    assert meta["content_type"] == "image/png"
    note = Notification.query.filter_by(user_id=booking.coach.user_id, subject_key=f"thread:{thread.id}").one()
    assert note.body == "Sent scan.png"
    assert sender.send(thread.id, "", "m-3").status_code == 400, "no text and no file"


def test_an_image_is_previewed_inline_from_a_re_encoded_copy_without_its_metadata(client):
    from PIL import Image

    booking, thread = confirmed_session()
    sender, coach, stranger = Api(client, booking.client), Api(client, booking.coach.user), Api(client, UserFactory())
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (3000, 1500), (10, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    original = out.getvalue()
    meta = sender.upload(thread.id, "whiteboard.jpg", original).get_json()
    assert meta["preview_url"] == f"/api/messages/attachments/{meta['id']}/preview"
    assert coach.get(meta["preview_url"]).status_code == 404, "not sent yet"
    sender.send(thread.id, "The board", "b-1", [meta["id"]])
    shown = coach.get(meta["preview_url"])
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["Content-Disposition"] == "inline" and shown.headers["X-Content-Type-Options"] == "nosniff"
    preview = Image.open(io.BytesIO(shown.data))
    assert preview.size == (1024, 512) and not preview.getexif(), "re-encoded, smaller, no metadata"
    assert shown.data != original and coach.get(meta["url"]).data == original, "the download is the file itself"
    assert stranger.get(meta["preview_url"]).status_code == 404
    pdf = sender.upload(thread.id, "a.pdf", PDF).get_json()
    sender.send(thread.id, "", "b-2", [pdf["id"]])
    assert coach.get(f"/api/messages/attachments/{pdf['id']}/preview").status_code == 404


def test_an_image_that_does_not_decode_is_refused(client):
    booking, thread = confirmed_session()
    before = _stored()
    bad = Api(client, booking.client).upload(thread.id, "broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    assert bad.status_code == 400
    assert bad.get_json()["error"]["fields"] == {"attachment": "The file could not be read as an image."}
    assert MessageAttachment.query.count() == 0 and _stored() == before


def test_another_user_reaches_no_attachment_and_cannot_send_or_upload_one(client):
    booking, thread = confirmed_session()
    sender = Api(client, booking.client)
    meta = sender.upload(thread.id, "goals.pdf", PDF).get_json()
    sender.send(thread.id, "Here", "m-1", [meta["id"]])
    stranger = Api(client, UserFactory())
    assert stranger.get(meta["url"]).status_code == 404
    assert stranger.upload(thread.id, "x.pdf", PDF).status_code == 404
    other_booking, other_thread = confirmed_session(client=stranger.user)
    unsent = sender.upload(thread.id, "later.pdf", PDF).get_json()
    refused = stranger.send(other_thread.id, "Not mine", "s-1", [unsent["id"]])
    assert refused.status_code == 400 and "attachment_ids" in refused.get_json()["error"]["fields"]
    again = sender.send(thread.id, "Twice?", "m-9", [meta["id"]])
    assert again.status_code == 400, "an attachment already sent goes with one message only"
    assert MessageAttachment.query.filter_by(id=unsent["id"]).one().message_id is None


def test_a_retried_send_with_its_file_is_one_message(client):
    booking, thread = confirmed_session()
    sender = Api(client, booking.client)
    meta = sender.upload(thread.id, "goals.pdf", PDF).get_json()
    answers = [sender.send(thread.id, "Here", "m-1", [meta["id"]]) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert Message.query.count() == 1 and answers[2].get_json()["attachments"] == [meta]


def test_a_held_message_keeps_its_file_from_the_recipient(client):
    db.session.add(WatchedWord(word="venmo"))
    db.session.commit()
    booking, thread = confirmed_session()
    sender = Api(client, booking.client)
    meta = sender.upload(thread.id, "invoice.pdf", PDF).get_json()
    assert sender.send(thread.id, "Pay me on venmo", "m-1", [meta["id"]]).get_json()["held"] is True
    assert Api(client, booking.coach.user).get(meta["url"]).status_code == 404
    assert sender.get(meta["url"]).status_code == 200


def test_the_api_refuses_a_disguised_program_and_a_file_one_byte_over_the_cap(client, app):
    assert app.config["UPLOAD_MAX_BYTES"] == LIMIT
    booking, thread = confirmed_session()
    sender = Api(client, booking.client)
    before = _stored()
    bad = sender.upload(thread.id, "cv.pdf", files.executable())
    assert bad.status_code == 400
    assert bad.get_json()["error"]["fields"] == {
        "attachment": "This file is not a PDF, PNG or JPEG (we check the file's contents, not its name)."
    }
    big = sender.upload(thread.id, "big.pdf", files.oversized(LIMIT)[: LIMIT + 1])
    assert big.status_code == 400
    assert big.get_json()["error"]["fields"] == {"attachment": "The file is too large; the limit is 10 MB."}
    assert MessageAttachment.query.count() == 0 and _stored() == before
    at_cap = sender.upload(thread.id, "full.pdf", files.oversized(LIMIT)[:LIMIT])
    assert at_cap.status_code == 201 and at_cap.get_json()["size"] == LIMIT


def _post_page(client, thread_id, body, filename, data):
    path = f"/messages/{thread_id}"
    form, content_type = multipart({"body": body, "csrf_token": csrf_token_from(client, path)}, filename, data)
    return client.post(path, data=form, content_type=content_type)


def test_the_page_form_refuses_a_bad_file_beside_the_field_and_keeps_the_text(client, login_as):
    booking, thread = confirmed_session()
    Api(client, booking.coach.user).send(thread.id, "Welcome aboard", "c-1")
    login_as(booking.client)
    before = _stored()
    for data, reason in (
        (files.executable(), "This file is not a PDF, PNG or JPEG (we check the file&#39;s contents, not its name)."),
        (files.oversized(LIMIT)[: LIMIT + 1], "The file is too large; the limit is 10 MB."),
    ):
        resp = _post_page(client, thread.id, "My notes from Tuesday", "notes.pdf", data)
        assert resp.status_code == 400
        html = resp.get_data(as_text=True)
        assert f'<p class="error" id="attachment-err">{reason}</p>' in html
        assert re.search(r"<textarea[^>]*>\s*My notes from Tuesday</textarea>", html), "the typed text stays"
        assert "Welcome aboard" in html
    assert [m.body for m in Message.query.all()] == ["Welcome aboard"]
    assert MessageAttachment.query.count() == 0 and _stored() == before


def test_the_page_form_sends_a_file_and_both_pages_link_it(client, login_as):
    booking, thread = confirmed_session()
    login_as(booking.client)
    resp = _post_page(client, thread.id, "Photo of the worksheet", "sheet.jpg", files.image_bytes("JPEG"))
    assert resp.status_code == 302
    row = MessageAttachment.query.one()
    assert (row.content_type, row.filename, row.message_id) == ("image/jpeg", "sheet.jpg", Message.query.one().id)
    login_as(booking.coach.user)
    html = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert f'<a href="/api/messages/attachments/{row.id}" download>sheet.jpg</a>' in html
    assert f'src="/api/messages/attachments/{row.id}/preview" alt="sheet.jpg"' in html
    assert client.get(f"/api/messages/attachments/{row.id}").status_code == 200


def test_files_never_sent_are_deleted_a_day_after_upload_with_their_stored_bytes(client, app):
    from datetime import timedelta

    from app.core.db import utcnow
    from app.messaging.attachments import prune_unsent

    booking, thread = confirmed_session()
    sender = Api(client, booking.client)
    sent = sender.upload(thread.id, "sent.pdf", PDF).get_json()
    sender.send(thread.id, "Here", "m-1", [sent["id"]])
    forgotten = sender.upload(thread.id, "forgotten.png", files.image_bytes("PNG")).get_json()
    fresh = sender.upload(thread.id, "fresh.pdf", PDF).get_json()
    old = db.session.get(MessageAttachment, forgotten["id"])
    keys = [old.storage_key, old.preview_key]
    for row_id in (sent["id"], forgotten["id"]):
        db.session.get(MessageAttachment, row_id).created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert all(storage().exists(k) for k in keys)

    assert prune_unsent() == 1
    assert sorted(r.id for r in MessageAttachment.query) == [sent["id"], fresh["id"]]
    assert not any(storage().exists(k) for k in keys), "its file and its preview are gone too"
    assert sender.get(sent["url"]).status_code == 200
    runner = app.test_cli_runner()
    assert runner.invoke(args=["messaging", "prune-attachments"]).output == "deleted 0 unsent attachment(s)\n"


def test_a_moderator_opens_a_flagged_messages_file_only_through_its_item_and_it_is_audited(client, login_as):
    from app.accounts.models import Role
    from app.moderation.models import ModerationItem
    from tests.factories import StaffFactory

    booking, thread = confirmed_session()
    coach = Api(client, booking.coach.user)
    meta = coach.upload(thread.id, "invoice.pdf", PDF).get_json()
    message = coach.send(thread.id, "Pay here instead", "m-1", [meta["id"]]).get_json()
    other = coach.upload(thread.id, "other.pdf", PDF).get_json()
    coach.send(thread.id, "And this", "m-2", [other["id"]])
    flag = {"target_type": "message", "target_id": message["id"], "reason": "spam"}
    assert Api(client, booking.client).post("/api/flags", flag).status_code == 201
    item = ModerationItem.query.one()
    moderator = StaffFactory(roles=[Role.MODERATOR])
    assert Api(client, moderator).get(meta["url"]).status_code == 404, "not through the conversation's own route"
    login_as(moderator)
    page = client.get(f"/staff/moderation/items/{item.id}").get_data(as_text=True)
    link = f"/staff/moderation/items/{item.id}/attachments/{meta['id']}"
    assert f'<a href="{link}" download>invoice.pdf</a>' in page
    got = client.get(link)
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    opened = AuditLog.query.filter_by(action="message_attachment.moderator_opened").one()
    assert (opened.actor_id, opened.object_id) == (moderator.id, str(meta["id"]))
    assert client.get(f"/staff/moderation/items/{item.id}/attachments/{other['id']}").status_code == 404, (
        "a file of another, unflagged message"
    )
