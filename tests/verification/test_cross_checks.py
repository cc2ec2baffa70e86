"""Every claim cross-checked against the certificate's text layer: pass, warn and fail, each with a
sentence naming both values, and the matched words' boxes stored for the review page."""

from __future__ import annotations

from datetime import date

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.coaches.models import CertificationLevel
from app.core.storage import storage
from app.extensions import db
from app.verification import check_runs, services
from app.verification.models import CertificateCheck
from tests.factories import UserFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.verification import files


@pytest.fixture
def application(app):
    return ApplicationFactory(user=UserFactory(first_name="Ada", last_name="Lovelace"))


def run(application, data: bytes) -> dict:
    """Check `data` as the application's certificate; {name: (result, message)}."""
    db.session.commit()
    doc = DocumentFactory(application=application, data=data)
    storage().put(doc.storage_key, data, "application/pdf")
    check_runs.run_checks(application.id)
    rows = CertificateCheck.query.filter_by(application_id=application.id).all()
    return {r.name: (r.result.value, r.message) for r in rows}


# --- number ----------------------------------------------------------------------------------


def test_the_claimed_number_on_the_certificate_passes(application):
    n = application.ipec_number
    assert run(application, files.certificate_for(application))["certificate_number"] == (
        "pass",
        f"The certificate shows the number {n}, matching the claimed {n}.",
    )


def test_a_number_spelled_with_spaces_and_lower_case_still_matches(application):
    digits = application.ipec_number.removeprefix("IPEC-")
    printed = f"ipec {digits[:3]} {digits[3:]}"
    assert run(application, files.certificate_for(application, number=printed))["certificate_number"] == (
        "pass",
        f"The certificate shows the number {printed}, matching the claimed {application.ipec_number}.",
    )


def test_another_number_fails_naming_both(application):
    assert run(application, files.certificate_for(application, number="IPEC-424242"))["certificate_number"] == (
        "fail",
        f"The certificate shows the number IPEC-424242, but the application claims {application.ipec_number}.",
    )


def test_no_number_on_the_certificate_warns(application):
    assert run(application, files.certificate_for(application, number=None))["certificate_number"] == (
        "warn",
        f"No iPEC number was found on the certificate; the application claims {application.ipec_number}.",
    )


# --- level -----------------------------------------------------------------------------------


def test_the_claimed_level_by_its_printed_name_passes(application):
    application.certification_level = CertificationLevel.MASTER
    pdf = files.certificate_for(application, level="Energy Leadership Index Master Practitioner (ELI-MP)")
    assert run(application, pdf)["level"] == (
        "pass",
        "The certificate names “Energy Leadership Index Master Practitioner (ELI-MP)”, matching the claimed "
        "level Master.",
    )


def test_another_level_fails_naming_both(application):
    application.certification_level = CertificationLevel.MASTER
    pdf = files.certificate_for(application, level="Certified Professional Coach (CPC)")
    assert run(application, pdf)["level"] == (
        "fail",
        "The certificate names “Certified Professional Coach (CPC)” (Professional), but the application claims Master.",
    )


def test_no_level_name_warns(application):
    assert run(application, files.certificate_for(application, level="certified coach"))["level"] == (
        "warn",
        "No level name was found on the certificate; the application claims Professional.",
    )


# --- date ------------------------------------------------------------------------------------


def test_the_claimed_date_written_out_passes(application):
    when = application.certification_date
    written = f"{when.day} {when:%B %Y}"
    assert run(application, files.certificate_for(application, certified_on=written))["certificate_date"] == (
        "pass",
        f"The certificate shows the date {written}, matching the claimed {when.isoformat()}.",
    )


def test_a_numeric_date_that_reads_both_ways_warns_with_both_readings(application):
    application.certification_date = date(2024, 5, 1)  # the test is about this date: day and month <= 12
    assert run(application, files.certificate_for(application, certified_on="05/01/2024"))["certificate_date"] == (
        "warn",
        "The certificate shows 05/01/2024: read month first that is 2024-05-01, day first 2024-01-05; the claimed "
        "2024-05-01 is one of them, so check which the issuer uses.",
    )


def test_another_date_fails_naming_both(application):
    application.certification_date = date(2020, 9, 2)
    assert run(application, files.certificate_for(application, certified_on="2024-05-01"))["certificate_date"] == (
        "fail",
        "The certificate shows the date 2024-05-01, but the application claims 2020-09-02.",
    )


def test_no_date_warns(application):
    claimed = application.certification_date.isoformat()
    assert run(application, files.certificate_for(application, certified_on=None))["certificate_date"] == (
        "warn",
        f"No date was found on the certificate; the application claims {claimed}.",
    )


# --- name ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed,first,last",
    [
        ("Lovelace, Ada", "Ada", "Lovelace"),
        ("Jose Nunez", "José", "Núñez"),
        ("Ada King Lovelace", "Ada", "Lovelace"),
        ("Ada Lovelace", "Ada Augusta", "Lovelace"),
    ],  # fmt: skip
)
def test_order_accents_and_middle_names_are_forgiven(application, printed, first, last):
    application.first_name, application.last_name = first, last
    result, message = run(application, files.certificate_for(application, name=printed))["name"]
    assert (result, message.endswith(f"matching the applicant {first} {last} (similarity 100%).")) == ("pass", True)


def test_a_near_miss_warns_with_its_similarity(application):
    # "Lovelase" shares 7 of "Lovelace"'s 8 letters: similarity 2 * 7 / 16 = 87.5%, shown as 88%.
    assert run(application, files.certificate_for(application, name="Ada Lovelase"))["name"] == (
        "warn",
        "The certificate's closest name “Ada Lovelase” only partly matches the applicant Ada Lovelace "
        "(similarity 88%).",
    )


# --- issuer ----------------------------------------------------------------------------------


def test_the_issuer_by_its_full_name_passes(application):
    pdf = files.certificate_for(application, issuer="Institute for Professional Excellence in Coaching")
    assert run(application, pdf)["issuer"] == (
        "pass",
        "The certificate names the issuer “Institute for Professional Excellence in Coaching”.",
    )


def test_a_text_certificate_without_the_issuer_fails_even_with_an_ipec_number(application):
    pdf = files.certificate_for(application, issuer="Certificate of Completion")
    assert run(application, pdf)["issuer"] == (
        "fail",
        "The certificate names neither iPEC nor the Institute for Professional Excellence in Coaching.",
    )


# --- what is stored for the review page -----------------------------------------------------


def test_the_text_and_the_number_box_are_stored_with_the_document(application):
    run(application, files.certificate_for(application))
    doc = services.current_document(application)
    assert (doc.text_source, f"Certificate number: {application.ipec_number}" in doc.text_content) == (
        "text_layer",
        True,
    )
    # The number is drawn at x = 72 + width("Certificate number: "), baseline 600 pt, 14 pt Helvetica.
    width, height = A4
    x0, y0, x1, y1 = doc.evidence["certificate_number"][0]
    left = (72 + stringWidth("Certificate number: ", "Helvetica", 14)) / width
    right = left + stringWidth(application.ipec_number, "Helvetica", 14) / width
    assert (x0, x1) == (pytest.approx(left, abs=0.01), pytest.approx(right, abs=0.01))  # rounding flaked at .005
    assert 1 - (600 + 14) / height < y0 < y1 < 1 - (600 - 4) / height
