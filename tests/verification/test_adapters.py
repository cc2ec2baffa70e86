"""The checks job on real rq/Redis, downloads through S3 (moto) presigned URLs, hostile files,
and per-document decisions feeding the applicant's answer."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from pypdf import PdfReader, PdfWriter

from app.accounts.models import Role
from app.core.errors import ValidationFailed
from app.core.jobs import RQJobs
from app.core.storage import S3Storage, storage
from app.core.uploads import Upload
from app.extensions import db
from app.verification import check_runs, review, services
from app.verification.models import CertificateCheck, DocumentDecision
from tests.factories import StaffFactory, UserFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.verification import files
from tests.verification.test_flow import api_fields


@pytest.fixture
def swap_extension(app):
    saved = {}

    def swap(name, value):
        saved.setdefault(name, app.extensions[name])
        app.extensions[name] = value

    yield swap
    app.extensions.update(saved)


def test_checks_run_as_an_rq_job(app, redis_url, swap_extension):
    from rq import Queue, SimpleWorker

    jobs = RQJobs(redis_url)
    swap_extension("jobs", jobs)
    applicant = UserFactory(first_name="Ada", last_name="Lovelace")
    raw = api_fields()
    application = services.create_application(applicant, raw, Upload("c.pdf", files.certificate_pdf("Ada Lovelace")))
    assert CertificateCheck.query.count() == 0  # not yet: the job is queued
    queue = Queue("verification", connection=jobs.connection)
    assert len(queue) == 1
    SimpleWorker([queue], connection=jobs.connection).work(burst=True)
    db.session.expire_all()
    results = {c.name: c.result.value for c in CertificateCheck.query.filter_by(application_id=application.id)}
    assert results["name"] == "pass" and len(results) == 14


def test_download_redirects_to_a_short_lived_presigned_url_on_s3(app, client, login_as, s3_endpoint, swap_extension):
    s3 = S3Storage("uploads", endpoint_url=s3_endpoint, region="us-east-1", expires=60, access_key="x", secret_key="x")
    s3.ensure_bucket()
    swap_extension("storage", s3)
    data = files.certificate_pdf()
    doc = DocumentFactory(data=data, original_filename="cert.pdf")
    storage().put(doc.storage_key, data, "application/pdf")
    login_as(StaffFactory(roles=[Role.VERIFIER]))
    resp = client.get(f"/staff/verification/documents/{doc.id}/download")
    assert resp.status_code == 302
    assert resp.location.startswith(s3_endpoint)
    assert "X-Amz-Expires=60" in resp.location  # signature version 4, valid for a minute
    assert "attachment" in resp.location


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge image (a decompression bomb's calling card)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b"")
    )


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(files.certificate_pdf())).pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data,filename",
    [(_png_header_only(60000, 60000), "bomb.png"), (_encrypted_pdf(), "locked.pdf"), (b"%PDF-", "empty.pdf")],
)
def test_hostile_files_fail_their_checks_without_crashing(app, data, filename):
    application = ApplicationFactory()
    doc = DocumentFactory(application=application, data=data, original_filename=filename)
    storage().put(doc.storage_key, data, "application/octet-stream")
    check_runs.run_checks(application.id)
    results = {c.name: c.result.value for c in CertificateCheck.query.filter_by(application_id=application.id)}
    assert results["opens"] == "fail"
    assert results["preview"] == "fail"
    assert len(results) == 14


def test_reupload_request_makes_the_answer_need_a_file(app):
    applicant = UserFactory()
    application = services.create_application(applicant, api_fields(), Upload("c.pdf", files.certificate_pdf()))
    verifier = StaffFactory(roles=[Role.VERIFIER])
    doc = services.current_document(application)
    review.decide_document(doc.id, verifier, "reupload_requested", "Page 2 is missing.")
    review.request_information(application.id, verifier, "Please upload the whole certificate.")
    assert db.session.get(type(doc), doc.id).decision == DocumentDecision.REUPLOAD_REQUESTED
    with pytest.raises(ValidationFailed) as err:
        services.answer_information_request(applicant, application.id, "Here you go")
    assert "certificate" in err.value.fields
    services.answer_information_request(
        applicant, application.id, "Here you go", Upload("all.pdf", files.certificate_pdf(pages=2))
    )
    assert services.current_document(application).original_filename == "all.pdf"
