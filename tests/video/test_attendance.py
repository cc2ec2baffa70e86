"""Attendance: the page's join, beats and leave become merged intervals; a provider's joins and leaves,
duplicated and out of order, too (app.video.attendance.record_join / record_leave)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.core.models import AuditLog
from app.extensions import db
from app.video.attendance import record_join, record_leave
from app.video.models import AttendanceInterval
from tests.factories import UserFactory
from tests.video.helpers import FAR_START, paid_booking, signed_in

FLOWING = {"event": "beat", "connection_state": "connected", "bytes_sent": 9000, "bytes_received": 8000}


def _intervals(booking, kind: str = "present") -> list[tuple[str, int, int, bool]]:
    """(role, start, end in seconds after the start, open) per interval."""
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(AttendanceInterval)
        .where(AttendanceInterval.booking_id == booking.id, AttendanceInterval.kind == kind)
        .order_by(AttendanceInterval.role, AttendanceInterval.started_at)
    )
    return [
        (
            r.role,
            int((r.started_at - FAR_START).total_seconds()),
            int((r.ended_at - FAR_START).total_seconds()),
            r.is_open,
        )
        for r in rows
    ]


def _audited(booking) -> list[str]:
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.object_type == "attendance_intervals").order_by(AuditLog.id)
    )
    return [row.action for row in rows if row.after["booking_id"] == booking.id]


def _sign_in(app, client, user) -> dict:
    with time_machine.travel(FAR_START, tick=False):  # a session started now would be long expired there
        return signed_in(app, client, user)


def _post(client, booking, headers, at, body):
    with time_machine.travel(at, tick=False):
        return client.post(f"/api/video/{booking.id}/attendance", json=body, headers=headers)


def test_beats_every_fifteen_seconds_make_one_interval_and_a_tab_closing_ends_it(app, client):
    booking = paid_booking()
    headers = _sign_in(app, client, booking.client)
    resp = _post(client, booking, headers, FAR_START, {"event": "join", "connection_state": "new"})
    assert (resp.status_code, resp.get_json()) == (202, {"event": "join"})
    for second in range(15, 121, 15):
        assert _post(client, booking, headers, FAR_START + timedelta(seconds=second), FLOWING).status_code == 202
    assert _intervals(booking) == [("client", 0, 120, True)]
    assert _intervals(booking, "media") == [("client", 15, 120, True)]
    assert _post(client, booking, headers, FAR_START + timedelta(seconds=125), {"event": "leave"}).status_code == 202
    assert _intervals(booking) == [("client", 0, 125, False)]
    assert _intervals(booking, "media") == [("client", 15, 120, False)]
    assert _audited(booking) == ["video.attendance.join", "video.attendance.leave"]


def test_a_silence_longer_than_three_beats_starts_a_new_interval(app, client):
    booking = paid_booking()
    headers = _sign_in(app, client, booking.coach.user)
    for second in (0, 15, 30, 90, 105):  # 60 s without a beat between 30 and 90
        _post(client, booking, headers, FAR_START + timedelta(seconds=second), FLOWING)
    assert _intervals(booking) == [("coach", 0, 30, True), ("coach", 90, 105, True)]


def test_media_counts_only_while_connected_with_bytes_both_ways(app, client):
    booking = paid_booking()
    headers = _sign_in(app, client, booking.client)
    beats = [
        {**FLOWING, "connection_state": "connecting"},
        {**FLOWING, "bytes_received": 0},  # sending only: the other side's media never arrives
        FLOWING,
        FLOWING,
        {**FLOWING, "connection_state": "disconnected"},
        FLOWING,
    ]
    for n, body in enumerate(beats):
        _post(client, booking, headers, FAR_START + timedelta(seconds=15 * n), body)
    assert _intervals(booking) == [("client", 0, 75, True)]
    assert _intervals(booking, "media") == [("client", 30, 45, False), ("client", 75, 75, True)]


def test_provider_joins_and_leaves_duplicated_and_out_of_order_give_the_same_intervals():
    booking = paid_booking()
    coach = booking.coach.user
    at = lambda minutes: FAR_START + timedelta(minutes=minutes)  # noqa: E731
    calls = [
        (record_leave, booking.client, at(20)),  # the leave arrives before its join
        (record_join, coach, at(1)),
        (record_join, booking.client, at(2)),
        (record_leave, coach, at(50)),
        (record_join, coach, at(52)),
    ]
    for _ in range(3):  # each webhook delivered three times
        for fn, user, when in calls:
            fn(booking, user, when, provider="daily")
    assert _intervals(booking) == [
        ("client", 120, 1200, False),
        ("coach", 60, 3000, False),
        ("coach", 3120, 3120, True),
    ]
    assert _audited(booking) == [
        "video.attendance.leave",
        "video.attendance.join",
        "video.attendance.join",
        "video.attendance.leave",
        "video.attendance.join",
    ]


def test_a_stranger_a_late_report_and_a_malformed_one_are_refused_and_record_nothing(app, client):
    booking = paid_booking()
    url = f"/api/video/{booking.id}/attendance"
    stranger = _sign_in(app, client, UserFactory())
    resp = _post(client, booking, stranger, FAR_START, FLOWING)
    assert (resp.status_code, resp.get_json()["error"]["message"]) == (
        403,
        "Only the booked client and coach can join this session.",
    )
    headers = _sign_in(app, client, booking.client)
    late = _post(client, booking, headers, FAR_START + timedelta(minutes=75), FLOWING)
    assert (late.status_code, late.get_json()["error"]["message"]) == (
        403,
        "The session closed 15 minutes after the end.",
    )
    for body in (
        {"event": "dance"},
        {"event": "beat", "connection_state": "excellent"},
        {"event": "beat", "bytes_sent": -1},
        {"event": "beat", "bytes_received": "lots"},
    ):
        assert _post(client, booking, headers, FAR_START, body).status_code == 400, body
    with time_machine.travel(FAR_START, tick=False):
        no_csrf = client.post(url, json=FLOWING, headers={"Accept": "application/json"})
    assert (no_csrf.status_code, no_csrf.get_json()["error"]["code"]) == (400, "csrf_failed")
    assert _intervals(booking) == []


def test_the_session_page_tells_its_script_where_to_report(app, client):
    booking = paid_booking()
    with time_machine.travel(FAR_START, tick=False):
        signed_in(app, client, booking.client)
        html = client.get(f"/bookings/{booking.id}/session").get_data(as_text=True)
    assert f"/api/video/{booking.id}/attendance" in html and "heartbeatSeconds" in html
