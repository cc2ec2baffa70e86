"""Active PDFs (scripts, actions, attachments, media, data after %%EOF) fail their check with a
sentence, and the reviewer is handed a flattened copy instead of the original."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.accounts.models import Role
from app.core.storage import storage
from app.verification import active_content, check_runs, services
from app.verification.models import CertificateCheck
from tests.factories import StaffFactory, UserFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.verification import active_pdfs, files

ADVICE = (
    "A certificate needs none of this and it can run in a PDF reader: use the preview or the flattened copy, "
    "not the original."
)


def run(data: bytes, filename: str = "certificate.pdf"):
    """Check `data` as Ada Lovelace's certificate; return (application, document, {name: (result, message)})."""
    application = ApplicationFactory(user=UserFactory(first_name="Ada", last_name="Lovelace"))
    doc = DocumentFactory(application=application, data=data, original_filename=filename)
    storage().put(doc.storage_key, data, "application/octet-stream")
    check_runs.run_checks(application.id)
    rows = CertificateCheck.query.filter_by(application_id=application.id).all()
    return application, services.current_document(application), {r.name: (r.result.value, r.message) for r in rows}


@pytest.mark.parametrize(
    "make,what",
    [
        (active_pdfs.with_javascript, "JavaScript (/JavaScript, /JS)"),
        (active_pdfs.escaped_javascript, "JavaScript (/JavaScript, /JS)"),
        (active_pdfs.with_open_action, "an action that runs when the file is opened (/OpenAction)"),
        (active_pdfs.with_page_actions, "actions that run on page or field events (/AA)"),
        (active_pdfs.with_launch, "an action that launches a program or file (/Launch)"),
        (active_pdfs.with_attachment, "an attached file (/EmbeddedFile, /EmbeddedFiles)"),
        (active_pdfs.with_rich_media, "embedded media (Flash or video) (/RichMedia)"),
    ],
)
def test_each_kind_of_active_content_fails_with_its_sentence(app, make, what):
    application, _doc, results = run(make())
    assert results["active_content"] == ("fail", f"The PDF contains {what}. {ADVICE}")
    assert application.has_failing_checks is True


def test_a_zip_appended_after_the_end_fails_with_its_size(app):
    data = active_pdfs.zip_polyglot()
    hidden = len(data) - len(files.certificate_pdf())
    _application, _doc, results = run(data)
    assert results["active_content"] == (
        "fail",
        f"The PDF contains {hidden:,} bytes of other data after its end (a file hidden inside the PDF). {ADVICE}",
    )


def test_a_plain_certificate_and_an_open_destination_pass(app):
    for data in (files.certificate_pdf("Ada Lovelace"), active_pdfs.with_open_destination()):
        _application, doc, results = run(data)
        assert results["active_content"] == ("pass", "The PDF has no scripts, actions, attachments or hidden data.")
        assert doc.safe_copy_key is None


def test_an_image_passes_as_it_cannot_carry_scripts(app):
    _application, _doc, results = run(files.image_bytes("PNG"), "cert.png")
    assert results["active_content"] == ("pass", "A PNG image carries no scripts or actions.")


def test_the_flattened_copy_has_the_pages_and_nothing_active(app):
    _application, doc, _results = run(active_pdfs.with_javascript())
    copy = storage().get(doc.safe_copy_key)
    assert active_content.find_active_content(copy) == []
    assert active_content.trailing_bytes(copy) == 0
    assert len(PdfReader(io.BytesIO(copy)).pages) == 1


def test_the_reviewer_downloads_the_flattened_copy_and_the_original_only_on_purpose(app, client, login_as):
    original = active_pdfs.with_launch()
    _application, doc, _results = run(original, "ada.pdf")
    login_as(StaffFactory(roles=[Role.VERIFIER]))
    page = client.get(f"/staff/verification/{doc.application_id}").get_data(as_text=True)
    assert "Download the flattened copy" in page
    assert "should be opened only in a sandbox" in page
    flat = client.get(f"/staff/verification/documents/{doc.id}/download")
    assert flat.headers["Content-Disposition"] == "attachment; filename=ada-flattened.pdf"
    assert flat.data == storage().get(doc.safe_copy_key)
    raw = client.get(f"/staff/verification/documents/{doc.id}/download?original=1")
    assert raw.headers["Content-Disposition"] == "attachment; filename=ada.pdf"
    assert raw.data == original
