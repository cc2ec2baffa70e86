"""Scanned certificates are read by Tesseract (installed by .ci/services.sh: these tests fail, never
skip, without it): PNG and JPEG scans, turned 90° or skewed a few degrees, and a PDF holding only an
image. Kept to a few OCR runs; the accuracy loop over 20 scans lives in test_ocr_accuracy.py."""

from __future__ import annotations

import pytest

from app.core.storage import storage
from app.extensions import db
from app.verification import check_runs, services
from app.verification.models import CertificateCheck
from tests.factories import UserFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.verification import files

CROSS_CHECKS = ("name", "certificate_number", "level", "certificate_date", "issuer")


@pytest.fixture
def application(app):
    return ApplicationFactory(user=UserFactory(first_name="Grace", last_name="Hopper"))


def run(application, data: bytes, filename: str) -> dict:
    """Check `data` as the application's certificate; {name: (result, message)}."""
    db.session.commit()
    doc = DocumentFactory(application=application, data=data, original_filename=filename)
    storage().put(doc.storage_key, data, "application/octet-stream")
    check_runs.run_checks(application.id)
    rows = CertificateCheck.query.filter_by(application_id=application.id).all()
    return {r.name: (r.result.value, r.message) for r in rows}


def test_a_png_scan_is_read_and_every_claim_passes(application):
    results = run(application, files.rasterise(files.certificate_for(application), "PNG"), "scan.png")
    assert {name: results[name][0] for name in ("text", *CROSS_CHECKS)} == dict.fromkeys(
        ("text", *CROSS_CHECKS), "pass"
    )
    doc = services.current_document(application)
    assert (doc.text_source, application.ipec_number in doc.text_content) == ("ocr", True)
    assert results["text"][1].startswith("Read by OCR (Tesseract): ")


def test_a_jpeg_photo_turned_sideways_is_turned_back_and_its_wrong_number_fails(application):
    scan = files.rasterise(files.certificate_for(application, number="IPEC-424242"), "JPEG", turn=90)
    results = run(application, scan, "photo.jpg")
    assert results["certificate_number"] == (
        "fail",
        f"The certificate shows the number IPEC-424242, but the application claims {application.ipec_number}.",
    )
    assert services.current_document(application).ocr_rotation == 270


def test_a_skewed_scan_with_another_level_fails_on_the_level(application):
    from app.coaches.models import CertificationLevel

    application.certification_level = CertificationLevel.MASTER
    scan = files.rasterise(files.certificate_for(application, level="Certified Professional Coach"), "JPEG", turn=3)
    assert run(application, scan, "skewed.jpg")["level"] == (
        "fail",
        "The certificate names “Certified Professional Coach” (Professional), but the application claims Master.",
    )


def test_a_pdf_holding_only_an_image_is_read_by_ocr_and_its_missing_issuer_only_warns(application):
    pdf = files.image_only_pdf(files.certificate_for(application, issuer="Certificate of Completion"))
    results = run(application, pdf, "scanned.pdf")
    assert results["issuer"] == (
        "warn",
        "The certificate names neither iPEC nor the Institute for Professional Excellence in Coaching "
        "(read by OCR: a logo may not be readable; check by eye).",
    )


def test_without_tesseract_a_scan_warns_and_says_why(app, application):
    app.config["OCR_COMMAND"] = "/nonexistent/tesseract"
    try:
        results = run(application, files.rasterise(files.certificate_for(application), "PNG"), "scan.png")
    finally:
        app.config["OCR_COMMAND"] = "tesseract"
    reason = "The certificate is an image and Tesseract (OCR) is not installed on this server (command “/nonexistent/tesseract” not found)"
    assert results["text"] == ("warn", f"{reason}: nothing could be read, so the claims below are left to the eye.")
    assert results["certificate_number"] == (
        "warn",
        f"{reason}; check by eye that it shows the number {application.ipec_number}.",
    )
    assert {name: results[name][0] for name in CROSS_CHECKS} == dict.fromkeys(CROSS_CHECKS, "warn")
