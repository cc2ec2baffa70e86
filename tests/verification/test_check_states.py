"""The checks job's state is shown as it is: pending, running, failed to run; never "no failures"
before the checks have run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.jobs import RQJobs
from app.core.storage import storage
from app.core.uploads import Upload
from app.extensions import db
from app.verification import check_runs, services
from app.verification.models import ChecksState, CoachApplication
from tests.factories import StaffFactory, UserFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.verification import files
from tests.verification.test_adapters import swap_extension  # noqa: F401 - fixture
from tests.verification.test_flow import api_fields


@pytest.fixture
def verifier(app):
    return StaffFactory(roles=[Role.VERIFIER])


def _queue_cell(client, name: str) -> str:
    """The queue row naming `name` (searched in the table body: the header names the signed-in verifier,
    whose random first name was once "Stanley", so "Stan" matched the header)."""
    html = client.get("/staff/verification/").get_data(as_text=True)
    body = html[html.index("<tbody") :]
    row = body[body.index(name) :]
    return row[: row.index("</tr>")]


def test_queued_checks_show_pending_then_their_result_after_the_rq_worker(
    app,
    client,
    login_as,
    verifier,
    redis_url,
    swap_extension,  # noqa: F811
):
    from rq import Queue, SimpleWorker

    jobs = RQJobs(redis_url)
    swap_extension("jobs", jobs)
    applicant = UserFactory(first_name="Ada", last_name="Lovelace")
    services.create_application(applicant, api_fields(), Upload("c.pdf", files.certificate_pdf("Ada Lovelace")))
    login_as(verifier)
    assert "checks pending" in _queue_cell(client, "Ada Lovelace")
    SimpleWorker([Queue("verification", connection=jobs.connection)], connection=jobs.connection).work(burst=True)
    assert "no failures" in _queue_cell(client, "Ada Lovelace")


def test_running_checks_say_so_and_a_stalled_run_counts_as_failed(app, client, login_as, verifier):
    started = utcnow() - timedelta(minutes=2)
    running = ApplicationFactory(first_name="Rita", checks_state=ChecksState.RUNNING, checks_started_at=started)
    stalled = ApplicationFactory(
        first_name="Stan", checks_state=ChecksState.RUNNING, checks_started_at=utcnow() - timedelta(hours=2)
    )
    login_as(verifier)
    assert "checks running" in _queue_cell(client, "Rita")
    assert "checks failed to run" in _queue_cell(client, "Stan")
    page = client.get(f"/staff/verification/{stalled.id}").get_data(as_text=True)
    assert "and never finished: review the file by eye" in page
    assert running.id


def test_a_crashed_job_is_failed_to_run_and_the_filter_lists_it_as_not_checked(app, client, login_as, verifier):
    application = ApplicationFactory(first_name="Carla")
    data = files.certificate_pdf()
    doc = DocumentFactory(application=application, data=data)
    storage().put(doc.storage_key, data, "application/pdf")
    # A real failure while saving the preview: a directory sits where the preview file must go.
    (storage().root / f"{doc.storage_key}.preview.png").mkdir(parents=True)
    with pytest.raises(IsADirectoryError):
        check_runs.run_checks(application.id)
    assert db.session.get(CoachApplication, application.id, populate_existing=True).checks_state == ChecksState.FAILED
    login_as(verifier)
    assert "checks failed to run" in _queue_cell(client, "Carla")
    page = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert "The checks job crashed: review the file by eye." in page
    unchecked = client.get("/staff/verification/?failing=unchecked").get_data(as_text=True)
    no_failures = client.get("/staff/verification/?failing=no").get_data(as_text=True)
    assert "Carla" in unchecked and "Carla" not in no_failures
