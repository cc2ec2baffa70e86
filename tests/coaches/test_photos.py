"""Photo uploads on /coach/profile: sniffed, bounded, re-encoded to fixed squares, metadata stripped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.coaches.models import CoachProfile
from app.extensions import db
from tests.coaches import images, page
from tests.conftest import csrf_token_from
from tests.factories.coaches import CoachFactory

LIMIT = 5 * 1024 * 1024


def upload(client, data: bytes, filename: str, mimetype: str):
    token = csrf_token_from(client, "/coach/profile")
    # Encoded in memory: the test client's own encoder spools big bodies to a file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": token, "photo": FileStorage(io.BytesIO(data), filename, content_type=mimetype)}
    )
    return client.post("/coach/profile/photo", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored_files(app) -> list[str]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "coach-photos" in p.parts)


@pytest.fixture
def coach(login_as):
    coach = CoachFactory(is_active=False)
    login_as(coach.user)
    return coach


def photo_key(coach_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(CoachProfile, coach_id).photo_key


def test_a_jpeg_is_stored_as_two_square_jpegs_and_served_cacheable(app, client, coach):
    assert upload(client, images.jpeg(800, 600), "me.jpg", "image/jpeg").status_code == 302
    key = photo_key(coach.id)
    assert [f for f in stored_files(app) if f.startswith(key)] == sorted([f"{key}-400.jpg", f"{key}-96.jpg"])
    version = key.rsplit("/", 1)[-1]
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/coach/profile")})
    db.session.get(CoachProfile, coach.id).is_active = True
    db.session.commit()
    resp = client.get(f"/coaches/{coach.id}/photo/400.jpg?v={version}")
    picture = Image.open(io.BytesIO(resp.data))
    assert (resp.mimetype, picture.format, picture.size) == ("image/jpeg", "JPEG", (400, 400))
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_exif_gps_in_a_png_does_not_survive(client, coach):
    original = images.png_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(images.GPS_IFD)  # the fixture has GPS
    assert upload(client, original, "holiday.png", "image/png").status_code == 302
    served = client.get(f"/coaches/{coach.id}/photo/400.jpg").data
    picture = Image.open(io.BytesIO(served))
    assert (dict(picture.getexif()), b"Exif" in served, b"SpyCam" in served) == ({}, False, False)


def test_a_decompression_bomb_is_refused_and_nothing_is_stored(app, client, coach):
    before = stored_files(app)
    resp = upload(client, images.decompression_bomb(), "bomb.png", "image/png")
    assert page.by_id(resp.get_data(as_text=True), "photo-err").text == "The photo has too many pixels."
    assert (resp.status_code, photo_key(coach.id), stored_files(app)) == (400, None, before)


def test_an_svg_renamed_png_is_refused(app, client, coach):
    resp = upload(client, images.SVG, "avatar.png", "image/png")
    assert page.by_id(resp.get_data(as_text=True), "photo-err").text == "The photo must be a JPEG, PNG or WebP image."
    assert (resp.status_code, photo_key(coach.id)) == (400, None)


def test_one_byte_over_five_megabytes_is_refused(client, coach):
    data = images.over_limit(LIMIT)
    assert len(data) == LIMIT + 1
    resp = upload(client, data, "big.jpg", "image/jpeg")
    assert page.by_id(resp.get_data(as_text=True), "photo-err").text == "The photo is larger than 5 MB."
    assert (resp.status_code, photo_key(coach.id)) == (400, None)


def test_exactly_five_megabytes_is_accepted(client, coach):
    data = images.over_limit(LIMIT - 1)
    assert len(data) == LIMIT
    assert upload(client, data, "big.jpg", "image/jpeg").status_code == 302
    assert photo_key(coach.id) is not None


def test_an_unlisted_coachs_photo_is_hidden_from_others(client, coach):
    upload(client, images.jpeg(), "me.jpg", "image/jpeg")
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/coach/profile")})
    assert client.get(f"/coaches/{coach.id}/photo/400.jpg").status_code == 404
