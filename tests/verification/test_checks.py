"""Every certificate check, on generated files: valid, corrupt, renamed, hostile, duplicate, wrong data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.errors import ValidationFailed
from app.core.storage import storage
from app.core.uploads import JPEG, PDF, PNG, Upload, sniff, validate_upload
from app.verification import check_runs, services
from app.verification.models import CertificateCheck
from tests.factories import UserFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.verification import files


def run(application, data: bytes, filename: str = "certificate.pdf") -> dict:
    """Store `data` as the application's document, run the checks, return {name: (result, message)}."""
    doc = DocumentFactory(application=application, data=data, original_filename=filename)
    storage().put(doc.storage_key, data, "application/octet-stream")
    check_runs.run_checks(application.id)
    rows = CertificateCheck.query.filter_by(application_id=application.id).all()
    return {r.name: (r.result.value, r.message) for r in rows}


@pytest.fixture
def application(app):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    return ApplicationFactory(user=user)


def test_valid_pdf_passes_everything_and_gets_a_preview(application):
    results = run(application, files.certificate_for(application))
    assert {name: r for name, (r, _) in results.items()} == {
        "file_type": "pass",
        "opens": "pass",
        "active_content": "pass",
        "page_count": "pass",
        "duplicate": "pass",
        "ipec_number": "pass",
        "certification_date": "pass",
        "text": "pass",
        "name": "pass",
        "certificate_number": "pass",
        "level": "pass",
        "certificate_date": "pass",
        "issuer": "pass",
        "preview": "pass",
    }
    doc = services.current_document(application)
    assert doc.page_count == 1
    assert storage().get(doc.preview_key).startswith(b"\x89PNG")
    assert application.has_failing_checks is False


@pytest.mark.parametrize("fmt,filename", [("PNG", "cert.png"), ("JPEG", "cert.jpg")])
def test_valid_image_opens_and_name_is_left_to_the_eye(application, fmt, filename):
    results = run(application, files.image_bytes(fmt), filename)
    assert results["file_type"][0] == "pass"
    assert results["opens"][0] == "pass"
    assert results["preview"][0] == "pass"
    assert results["name"] == (
        "warn",
        "No text could be read from the certificate; check by eye that it shows the name Ada Lovelace.",
    )


def test_corrupt_pdf_fails_with_a_message_and_does_not_crash(application):
    results = run(application, files.corrupt_pdf())
    assert results["opens"] == ("fail", "The PDF is damaged or unreadable and could not be opened.")
    assert results["page_count"][0] == "fail"
    assert results["preview"] == ("fail", "No preview: the file does not open.")
    assert application.has_failing_checks is True


def test_pdf_with_wrong_extension_is_a_warning(application):
    results = run(application, files.certificate_pdf("Ada Lovelace"), "scan.png")
    assert results["file_type"] == ("warn", "The file is a PDF although its name has .png.")
    assert results["opens"][0] == "pass"


def test_executable_renamed_pdf_is_refused_at_upload_and_fails_the_checks(application):
    with pytest.raises(ValidationFailed) as err:
        validate_upload(Upload("cert.pdf", files.executable()), 10 * 1024 * 1024)
    assert "not a PDF, PNG or JPEG" in err.value.fields["certificate"]
    results = run(application, files.executable())
    assert results["file_type"][0] == "fail"
    assert results["opens"][0] == "fail"


def test_oversized_file_is_refused():
    with pytest.raises(ValidationFailed) as err:
        validate_upload(Upload("big.pdf", files.oversized(1024 * 1024)), 1024 * 1024)
    assert err.value.fields["certificate"] == "The file is too large; the limit is 1 MB."


def test_sniffing_reads_bytes_not_names():
    assert sniff(files.certificate_pdf()) == PDF
    assert sniff(files.image_bytes("PNG")) == PNG
    assert sniff(files.image_bytes("JPEG")) == JPEG
    assert sniff(files.executable()) is None


def test_duplicate_file_of_another_person_fails(application):
    data = files.certificate_pdf("Ada Lovelace")
    other = ApplicationFactory()
    DocumentFactory(application=other, data=data)
    results = run(application, data)
    assert results["duplicate"] == (
        "fail",
        f"The same file was uploaded by another person with application #{other.id}.",
    )


def test_duplicate_of_own_earlier_application_is_a_warning(application):
    data = files.certificate_pdf("Ada Lovelace")
    earlier = ApplicationFactory(user=application.user)
    DocumentFactory(application=earlier, data=data)
    assert run(application, data)["duplicate"][0] == "warn"


def test_future_date_fails(application):
    application.certification_date = date.today() + timedelta(days=10)
    results = run(application, files.certificate_pdf("Ada Lovelace"))
    assert results["certification_date"][0] == "fail"
    assert "is in the future" in results["certification_date"][1]


def test_master_with_no_experience_is_a_warning(application):
    from app.coaches.models import CertificationLevel

    application.certification_level = CertificationLevel.MASTER
    application.years_experience = 0
    assert run(application, files.certificate_pdf("Ada Lovelace"))["certification_date"][0] == "warn"


def test_name_mismatch_fails(application):
    results = run(application, files.certificate_pdf("Grace Hopper"))
    result, message = results["name"]
    assert (result, message.split(":")[0]) == ("fail", "The certificate does not name the applicant Ada Lovelace")


def test_malformed_and_taken_ipec_numbers_fail(application):
    from app.coaches.models import CertificationLevel, CoachProfile
    from app.extensions import db

    application.ipec_number = "12345"
    assert run(application, files.certificate_pdf("Ada Lovelace"))["ipec_number"][0] == "fail"
    holder = UserFactory()
    db.session.add(
        CoachProfile(
            user_id=holder.id,
            ipec_number="IPEC-777777",
            certification_level=CertificationLevel.ASSOCIATE,
            hourly_rate_amount=5000,
            currency="EUR",
        )
    )
    application.ipec_number = "IPEC-777777"
    db.session.commit()
    result = run(application, files.certificate_pdf("Ada Lovelace"))["ipec_number"]
    assert result == ("fail", "The iPEC number IPEC-777777 already belongs to another approved coach.")


def test_too_many_pages_warns(application):
    assert run(application, files.certificate_pdf("Ada Lovelace", pages=7))["page_count"][0] == "warn"


def test_missing_file_in_storage_fails_not_crashes(application):
    DocumentFactory(application=application, data=b"%PDF-1.4 gone")
    check_runs.run_checks(application.id)
    results = {r.name: r.result.value for r in CertificateCheck.query.filter_by(application_id=application.id)}
    assert results["file_type"] == "fail"
    assert len(results) == 14
