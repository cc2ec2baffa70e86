"""A booking hold's statements (issue 20): the search refresh runs later, as a job.

The issue's target is under 10 and is not met: 15 today (27 with the refresh inline, 18 before
the hold stopped loading the coach's search facets and roles). The budget below only stops it
growing; the 15 are the session row, the user and their roles, the coach with its user, the
session type, expired holds near the slot, the coach's hours and exceptions, the busy check, the
three inserts (booking, audit, analytics event), and after the commit the booking, the user and
their roles read again for the answer.
"""

from __future__ import annotations

from tests.booking.helpers import first_slot
from tests.booking.test_api import api_headers
from tests.core.conftest import redis, rq_jobs  # noqa: F401 - fixtures
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach
from tests.sql_log import count_queries

HOLD_STATEMENT_BUDGET = 15


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
