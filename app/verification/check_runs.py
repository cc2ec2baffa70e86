"""The certificate checks job: run every check on an application's current document, keep the
results, preview, text and safe copy, and show the job's state honestly (pending, running, done,
failed to run) without bumping the version a reviewer decides on."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.jobs import enqueue_after_commit
from app.core.storage import storage
from app.extensions import db
from app.verification import checks
from app.verification.models import CertificateCheck, CheckResult, ChecksState, CoachApplication
from app.verification.services import CHECKS_QUEUE, add_event, current_document

log = logging.getLogger(__name__)


def set_checks_state(application_id: int, **values) -> None:
    """A Core UPDATE of the checks bookkeeping: it must not bump the version a reviewer decides on."""
    db.session.execute(
        sa.update(CoachApplication)
        .where(CoachApplication.id == application_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def requeue_checks(application_id: int) -> None:
    """Mark the checks pending again and run them after the commit (bookkeeping only, no version bump)."""
    set_checks_state(application_id, checks_state=ChecksState.PENDING, checks_started_at=None)
    enqueue_after_commit("workers.verification.run_checks", application_id, queue=CHECKS_QUEUE)


def run_checks(application_id: int) -> list[CertificateCheck]:
    """Run every certificate check on the current document; replaces earlier results (idempotent).

    The application shows the job's state: running from the start (committed at once), done at the
    end, failed when the job itself crashed (then the exception goes on to the job runner).
    """
    application = db.session.get(CoachApplication, application_id)
    doc = current_document(application) if application else None
    if doc is None:
        return []
    set_checks_state(application_id, checks_state=ChecksState.RUNNING, checks_started_at=utcnow())
    commit()
    try:
        return _run_checks(db.session.get(CoachApplication, application_id))
    except Exception:
        rollback()
        set_checks_state(application_id, checks_state=ChecksState.FAILED, checks_finished_at=utcnow())
        commit()
        raise


def _run_checks(application: CoachApplication) -> list[CertificateCheck]:
    doc = current_document(application)
    try:
        data = storage().get(doc.storage_key)
    except Exception:  # noqa: BLE001 - a missing object must become a failed check, not a crash
        log.exception("document %s missing from storage", doc.id)
        data = b""
    subject = checks.Subject(application=application, document=doc, data=data)
    outcomes = checks.evaluate(subject)
    db.session.execute(sa.delete(CertificateCheck).where(CertificateCheck.application_id == application.id))
    rows = [
        CertificateCheck(
            application_id=application.id, document_id=doc.id, name=o.name, result=o.result, message=o.message
        )
        for o in outcomes
    ]
    db.session.add_all(rows)
    doc.page_count = subject.page_count
    if subject.preview_png:
        doc.preview_key = f"{doc.storage_key}.preview.png"
        storage().put(doc.preview_key, subject.preview_png, "image/png")
    read = subject.reading
    doc.text_source = read.source if read else None
    doc.text_content = read.text if read else None
    doc.ocr_confidence = read.confidence if read else None
    doc.ocr_rotation = read.rotation if read and read.source == "ocr" else None
    doc.evidence = {o.name: [list(b) for b in o.boxes] for o in outcomes if o.boxes}
    doc.safe_copy_key = None
    if subject.safe_copy_pdf:
        doc.safe_copy_key = f"{doc.storage_key}.flattened.pdf"
        storage().put(doc.safe_copy_key, subject.safe_copy_pdf, "application/pdf")
    failing = any(o.result == CheckResult.FAIL for o in outcomes)
    set_checks_state(
        application.id, has_failing_checks=failing, checks_state=ChecksState.DONE, checks_finished_at=utcnow()
    )
    counts = {r: sum(1 for o in outcomes if o.result == r) for r in CheckResult}
    summary = ", ".join(f"{n} {r.value}" for r, n in counts.items() if n)
    add_event(application, None, "checks", f"Automatic checks: {summary}.", staff_only=True)
    commit()
    return rows
