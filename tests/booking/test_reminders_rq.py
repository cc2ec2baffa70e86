"""The 24-hour reminder on real rq: scheduled at confirmation, moved by a reschedule, removed by a cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from app.booking import services
from app.booking.models import Booking
from app.core.jobs import RQJobs
from app.extensions import db
from tests.booking.helpers import first_slot
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach


@pytest.fixture
def rq_jobs(app, redis_url):
    """Swap the app's jobs backend for rq on the test Redis; mail stays deliverable inline."""
    previous = app.extensions["jobs"]
    backend = RQJobs(redis_url)
    backend.connection.flushdb()
    app.extensions["jobs"] = backend
    yield backend
    app.extensions["jobs"] = previous
    backend.connection.close()


def scheduled(backend):
    registry = ScheduledJobRegistry(queue=Queue("mail", connection=backend.connection))
    return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def test_reminder_follows_the_booking(rq_jobs):
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type, after_hours=72)
    booking = services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)
    services.confirm_booking(booking.id)
    booking = db.session.get(Booking, booking.id)
    first_job = booking.reminder_job_id
    assert scheduled(rq_jobs)[first_job].replace(tzinfo=None) == (slot.starts_at - timedelta(hours=24)).replace(
        tzinfo=None
    )
    job = Job.fetch(first_job, connection=rq_jobs.connection)
    assert job.func_name == "workers.bookings.send_reminder" and job.args == (booking.id, slot.starts_at.isoformat())

    later = first_slot(coach, session_type, after_hours=120)
    services.reschedule_booking(booking, booking.client, later.starts_at)
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert booking.reminder_job_id != first_job
    assert Job.fetch(first_job, connection=rq_jobs.connection).get_status() == JobStatus.CANCELED
    assert scheduled(rq_jobs)[booking.reminder_job_id].replace(tzinfo=None) == (
        later.starts_at - timedelta(hours=24)
    ).replace(tzinfo=None)

    second_job = booking.reminder_job_id
    services.cancel_booking(booking, booking.client)
    assert Job.fetch(second_job, connection=rq_jobs.connection).get_status() == JobStatus.CANCELED
    assert scheduled(rq_jobs) == {}
