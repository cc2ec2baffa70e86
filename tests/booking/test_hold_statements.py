"""A booking hold's statements (issue 20): under 10, the search refresh left to a job.

The 9: the session row; the user with their roles (one statement since the user loader joins
them); the coach with its user, the session type and the coach's weekly hours (one statement); the
run-out holds near the slot; the coach's exceptions; the busy check; the three inserts (booking,
audit, analytics event). Nothing is read back after the commit. It was 27 with the refresh inline,
then 15.
"""

from __future__ import annotations

from tests.booking.helpers import first_slot
from tests.booking.test_api import api_headers
from tests.core.conftest import redis, rq_jobs  # noqa: F401 - fixtures
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach
from tests.sql_log import count_queries

HOLD_STATEMENT_BUDGET = 9


def test_holding_a_slot_stays_within_its_statement_budget_and_leaves_the_search_refresh_to_a_job(client, rq_jobs):  # noqa: F811
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type)
    headers = api_headers(client, UserFactory())
    payload = {"coach_id": coach.id, "session_type_id": session_type.id, "starts_at": slot.starts_at.isoformat()}
    with count_queries() as statements:
        resp = client.post("/api/bookings", json=payload, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    queued = [job.func_name for job in rq_jobs._queue("default").jobs]
    assert "workers.bookings.refresh_coach_search" in queued
    assert len(statements) <= HOLD_STATEMENT_BUDGET, "\n".join(statements)
