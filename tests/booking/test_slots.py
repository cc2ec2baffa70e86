"""Slot computation: properties over random schedules plus explicit time-zone and DST cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.booking.slots import (
    EXTRA_HOURS,
    TIME_OFF,
    Busy,
    DatedException,
    Policy,
    WeeklyHours,
    compute_slots,
    in_zone,
    working_intervals,
)

BERLIN = "Europe/Berlin"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def nine_to_five(days=range(7), start=time(9), end=time(17)):
    return [WeeklyHours(d, start, end) for d in days]


def slots(weekly, *, tz=BERLIN, exceptions=(), busy=(), now=NOW, start=None, end=None, **policy):
    policy = {"duration_minutes": 60, "buffer_minutes": 0, "min_notice_hours": 0, "horizon_days": 60, **policy}
    return compute_slots(
        timezone=tz,
        weekly=weekly,
        exceptions=list(exceptions),
        policy=Policy(**policy),
        busy=list(busy),
        now=now,
        range_start=start or now,
        range_end=end or now + timedelta(days=14),
    )


def local_hours(result, tz=BERLIN):
    return [in_zone(s.starts_at, tz).strftime("%H:%M") for s in result]


# --- DST on the coach's side ---------------------------------------------------------------


def test_spring_forward_keeps_wall_clock_hours_for_the_coach():
    start = datetime(2026, 3, 27, 22, 0, tzinfo=UTC)  # Saturday 28th, 00:00 Berlin (CET)
    result = slots(nine_to_five(start=time(9), end=time(12)), start=start, end=start + timedelta(days=2))
    assert local_hours(result) == ["09:00", "10:00", "11:00"] * 2
    # 09:00 CET is 08:00 UTC on Saturday, 09:00 CEST is 07:00 UTC on Sunday.
    assert [s.starts_at.hour for s in result] == [8, 9, 10, 7, 8, 9]


def test_spring_forward_gap_inside_working_hours_skips_the_missing_hour():
    day = date(2026, 3, 29)
    weekly = [WeeklyHours(day.weekday(), time(0), time(6))]
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    result = slots(weekly, start=start, end=start + timedelta(days=1))
    assert local_hours(result) == ["00:00", "01:00", "03:00", "04:00", "05:00"]
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in result)


def test_fall_back_repeats_the_doubled_hour_as_real_time():
    day = date(2026, 10, 25)
    weekly = [WeeklyHours(day.weekday(), time(0), time(6))]
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    result = slots(weekly, now=start - timedelta(days=1), start=start, end=start + timedelta(days=1))
    assert local_hours(result) == ["00:00", "01:00", "02:00", "02:00", "03:00", "04:00", "05:00"]
    assert len({s.starts_at for s in result}) == 7


def test_client_zone_with_its_own_dst_change_shows_shifting_local_times():
    # New York moves to EDT on 8 March 2026, Berlin only on 29 March: for three weeks the gap is 5 h.
    now = datetime(2026, 3, 1, tzinfo=UTC)
    weekly = nine_to_five(days=[0], start=time(15), end=time(16))  # Mondays 15:00 Berlin
    result = slots(weekly, now=now, start=now, end=now + timedelta(days=40))
    ny = [in_zone(s.starts_at, "America/New_York") for s in result]
    assert [(d.date().isoformat(), d.strftime("%H:%M")) for d in ny] == [
        ("2026-03-02", "09:00"),  # EST, CET: 6 h apart
        ("2026-03-09", "10:00"),  # EDT, CET: 5 h
        ("2026-03-16", "10:00"),
        ("2026-03-23", "10:00"),
        ("2026-03-30", "09:00"),  # EDT, CEST: 6 h again
        ("2026-04-06", "09:00"),
    ]
    assert ny[1].isoformat().endswith("-04:00")


def test_coach_in_southern_hemisphere_zone():
    # Sydney leaves daylight time on 5 April 2026 (03:00 -> 02:00).
    now = datetime(2026, 4, 1, tzinfo=UTC)
    weekly = nine_to_five(start=time(10), end=time(11))
    result = slots(weekly, tz="Australia/Sydney", now=now, start=now, end=now + timedelta(days=7))
    assert set(local_hours(result, "Australia/Sydney")) == {"10:00"}
    assert {s.starts_at.hour for s in result} == {23, 0}


# --- Policy: buffer, notice, horizon, exceptions, busy -------------------------------------


def test_buffer_spaces_slots_and_keeps_clear_of_bookings():
    start = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
    result = slots(nine_to_five(), start=start, end=start + timedelta(hours=8), buffer_minutes=30)
    assert local_hours(result) == ["09:00", "10:30", "12:00", "13:30", "15:00"]
    busy = [Busy(datetime(2026, 3, 23, 9, 45, tzinfo=UTC), datetime(2026, 3, 23, 10, 15, tzinfo=UTC))]
    result = slots(nine_to_five(), start=start, end=start + timedelta(hours=8), buffer_minutes=30, busy=busy)
    assert local_hours(result) == ["09:00", "12:00", "13:30", "15:00"]


def test_min_notice_and_horizon():
    now = datetime(2026, 3, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 Berlin
    result = slots(nine_to_five(), now=now, start=now, end=now + timedelta(days=30), min_notice_hours=2, horizon_days=2)
    assert result[0].starts_at >= now + timedelta(hours=2)
    assert in_zone(result[0].starts_at, BERLIN).strftime("%H:%M") == "13:00"
    assert result[-1].starts_at <= now + timedelta(days=2)
    assert in_zone(result[-1].starts_at, BERLIN).date() == date(2026, 3, 25)


def test_time_off_and_extra_hours():
    monday = date(2026, 3, 23)
    start = datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    exceptions = [
        DatedException(monday, TIME_OFF),
        DatedException(monday + timedelta(days=1), TIME_OFF, time(10), time(16)),
        DatedException(monday + timedelta(days=5), EXTRA_HOURS, time(10), time(12)),
    ]
    result = slots(nine_to_five(days=range(5)), exceptions=exceptions, start=start, end=start + timedelta(days=7))
    by_day = {}
    for s in result:
        local = in_zone(s.starts_at, BERLIN)
        by_day.setdefault(local.date(), []).append(local.strftime("%H"))
    assert monday not in by_day
    assert by_day[monday + timedelta(days=1)] == ["09", "16"]
    assert by_day[monday + timedelta(days=5)] == ["10", "11"]
    assert monday + timedelta(days=6) not in by_day


def test_round_the_clock_grid_does_not_depend_on_the_range_asked():
    weekly = nine_to_five(start=time(0), end=time(0))  # every day, midnight to midnight
    odd = datetime(2026, 3, 23, 10, 17, 33, tzinfo=UTC)
    wide = slots(weekly, now=odd, start=odd, end=odd + timedelta(days=2))
    narrow = slots(weekly, now=odd, start=wide[5].starts_at, end=wide[5].starts_at + timedelta(seconds=1))
    assert narrow == [wide[5]]
    assert {in_zone(s.starts_at, BERLIN).minute for s in wide} == {0}


def test_no_rules_no_slots_and_naive_times_rejected():
    assert slots([]) == []
    import pytest

    with pytest.raises(ValueError):
        slots(nine_to_five(), now=datetime(2026, 3, 1))


# --- Properties ------------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC", "America/Sao_Paulo"]
times = st.integers(min_value=0, max_value=47).map(lambda n: time(n // 2, 30 * (n % 2)))


@st.composite
def weekly_rules(draw):
    rules = []
    for _ in range(draw(st.integers(0, 8))):
        a, b = sorted([draw(times), draw(times)])
        if a != b:
            rules.append(WeeklyHours(draw(st.integers(0, 6)), a, b))
    return rules


@st.composite
def scenario(draw):
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * draw(st.integers(0, 35000)))
    start = now + timedelta(hours=draw(st.integers(-48, 200)))
    end = start + timedelta(hours=draw(st.integers(1, 24 * 21)))
    zone = draw(st.sampled_from(ZONES))
    base = start.astimezone(ZoneInfo(zone)).date()
    exceptions = []
    for _ in range(draw(st.integers(0, 4))):
        on = base + timedelta(days=draw(st.integers(0, 21)))
        kind = draw(st.sampled_from([TIME_OFF, EXTRA_HOURS]))
        a, b = sorted([draw(times), draw(times)])
        whole = kind == TIME_OFF and draw(st.booleans())
        exceptions.append(DatedException(on, kind, None if whole else a, None if whole else b))
    busy = []
    for _ in range(draw(st.integers(0, 6))):
        b_start = start + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 21)))
        busy.append(Busy(b_start, b_start + timedelta(minutes=draw(st.sampled_from([30, 45, 60, 90])))))
    policy = Policy(
        duration_minutes=draw(st.sampled_from([30, 45, 60, 90])),
        buffer_minutes=draw(st.sampled_from([0, 10, 15, 30])),
        min_notice_hours=draw(st.integers(0, 48)),
        horizon_days=draw(st.integers(1, 90)),
    )
    return dict(
        timezone=zone,
        weekly=draw(weekly_rules()),
        exceptions=exceptions,
        policy=policy,
        busy=busy,
        now=now,
        range_start=start,
        range_end=end,
    )


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_every_slot_respects_every_rule(case):
    result = compute_slots(**case)
    policy = case["policy"]
    duration = timedelta(minutes=policy.duration_minutes)
    buffer = timedelta(minutes=policy.buffer_minutes)
    working = working_intervals(
        case["timezone"], case["weekly"], case["exceptions"], case["range_start"], case["range_end"] + duration
    )
    assert result == sorted(set(result))
    for slot in result:
        assert slot.starts_at.tzinfo is not None and slot.starts_at.utcoffset() == timedelta(0)
        assert slot.ends_at - slot.starts_at == duration
        assert case["range_start"] <= slot.starts_at < case["range_end"]
        assert slot.starts_at >= case["now"] + timedelta(hours=policy.min_notice_hours)
        assert slot.starts_at <= case["now"] + timedelta(days=policy.horizon_days)
        assert any(lo <= slot.starts_at and slot.ends_at <= hi for lo, hi in working)
        local_start = in_zone(slot.starts_at, case["timezone"])
        assert local_start.date() == in_zone(slot.ends_at - timedelta(microseconds=1), case["timezone"]).date()
        for b in case["busy"]:
            assert slot.ends_at + buffer <= b.starts_at or slot.starts_at >= b.ends_at + buffer
    for a, b in zip(result, result[1:], strict=False):
        assert b.starts_at >= a.ends_at


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_slots_in_a_subrange_are_the_same_slots(case):
    """Asking for a narrower range never invents or moves slots (the grid is anchored to working time)."""
    full = compute_slots(**case)
    middle = case["range_start"] + (case["range_end"] - case["range_start"]) / 2
    first = compute_slots(**{**case, "range_end": middle})
    second = compute_slots(**{**case, "range_start": middle})
    assert first + second == full


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_booking_a_slot_removes_it_and_keeps_the_rest_valid(case):
    result = compute_slots(**case)
    if not result:
        return
    chosen = result[len(result) // 2]
    after = compute_slots(**{**case, "busy": [*case["busy"], Busy(chosen.starts_at, chosen.ends_at)]})
    assert chosen not in after
    assert set(after) <= set(result)
