"""The automatic certificate checks: each gives pass / warn / fail with a sentence for the reviewer.

Every check is guarded: a corrupt or hostile file makes a check fail with a message, never crash.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.coaches.models import CertificationLevel, CoachProfile
from app.core.uploads import EXTENSIONS, JPEG, PDF, PNG, TYPE_NAMES, extension_of, sniff
from app.extensions import db
from app.verification import active_content, cross_checks, reading
from app.verification.models import ApplicationDocument, CoachApplication
from app.verification.outcome import Outcome, failed, passed, warned

log = logging.getLogger(__name__)

IPEC_NUMBER = re.compile(r"^IPEC-\d{4,8}$")
IPEC_FOUNDED = date(1999, 1, 1)
MAX_PAGES = 20
WARN_PAGES = 5
MAX_PIXELS = 40_000_000  # beyond this an image is treated as a decompression bomb
PREVIEW_MAX_PX = 1400
# Fewest years of coaching experience we expect at each level; fewer is worth a second look.
LEVEL_MIN_YEARS = {CertificationLevel.ASSOCIATE: 0, CertificationLevel.PROFESSIONAL: 1, CertificationLevel.MASTER: 2}


@dataclass
class Subject:
    """What the checks look at: the application, its current document and that document's bytes."""

    application: CoachApplication
    document: ApplicationDocument
    data: bytes
    page_count: int | None = None
    preview_png: bytes | None = None
    opened: bool = False
    safe_copy_pdf: bytes | None = None  # flattened copy, made when the original has active content
    reading: reading.Reading | None = None  # the words read (text layer or OCR), filled by "text"
    notes: dict = field(default_factory=dict)


_ok, _warn, _fail = passed, warned, failed


def check_file_type(s: Subject) -> Outcome:
    """The bytes are a PDF, PNG or JPEG, and the name's extension agrees."""
    kind = sniff(s.data)
    if kind is None:
        return _fail("file_type", "The file is not a PDF, PNG or JPEG: its first bytes match none of them.")
    ext = extension_of(s.document.original_filename)
    if ext not in EXTENSIONS[kind]:
        shown = f".{ext}" if ext else "no extension"
        return _warn("file_type", f"The file is a {TYPE_NAMES[kind]} although its name has {shown}.")
    return _ok("file_type", f"The file is a {TYPE_NAMES[kind]}, as its name says.")


def _open_pdf(s: Subject) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(s.data), strict=False)
    if reader.is_encrypted:
        raise ValueError("the PDF is encrypted")
    s.page_count = len(reader.pages)


def _open_image(s: Subject) -> None:
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(s.data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ValueError("the image is implausibly large")
            img.verify()
        with Image.open(io.BytesIO(s.data)) as img:
            img.load()
    s.page_count = 1


def check_opens(s: Subject) -> Outcome:
    """The file opens: pypdf for a PDF, Pillow for an image."""
    kind = sniff(s.data)
    if kind is None:
        return _fail("opens", "The file was not opened because it is not a PDF or an image.")
    try:
        _open_pdf(s) if kind == PDF else _open_image(s)
    except Exception as exc:  # noqa: BLE001 - any parser error means "does not open"
        log.info("document %s does not open: %s", s.document.id, exc)
        return _fail("opens", f"The {TYPE_NAMES[kind]} is damaged or unreadable and could not be opened.")
    s.opened = True
    return _ok("opens", f"The {TYPE_NAMES[kind]} opens without errors.")


def check_active_content(s: Subject) -> Outcome:
    """A PDF has no scripts, actions, attachments, media or data after its end; else a flattened copy."""
    kind = sniff(s.data)
    if kind is None:
        return _fail("active_content", "The file was not examined because it is not a PDF or an image.")
    if kind != PDF:
        return _ok("active_content", f"A {TYPE_NAMES[kind]} carries no scripts or actions.")
    names = active_content.find_active_content(s.data)
    trailing = active_content.trailing_bytes(s.data)
    if not names and trailing <= 0:
        if trailing < 0:
            return _warn("active_content", "The PDF has no end marker (%%EOF): it may be cut short.")
        return _ok("active_content", "The PDF has no scripts, actions, attachments or hidden data.")
    message = active_content.describe(names, trailing)
    try:
        s.safe_copy_pdf = active_content.flatten(s.data)
    except Exception as exc:  # noqa: BLE001 - no copy is a worse offer, not a crash
        log.info("document %s could not be flattened: %s", s.document.id, exc)
        message = message.replace("or the flattened copy, ", "(no flattened copy could be made), ")
    return _fail("active_content", message)


def check_page_count(s: Subject) -> Outcome:
    """A certificate has a page or a few, not none and not a book."""
    if not s.opened or s.page_count is None:
        return _fail("page_count", "The pages could not be counted because the file does not open.")
    n = s.page_count
    if n == 0:
        return _fail("page_count", "The document has no pages.")
    if n > MAX_PAGES:
        return _fail("page_count", f"The document has {n} pages; a certificate has a few at most.")
    if n > WARN_PAGES:
        return _warn("page_count", f"The document has {n} pages, more than a certificate usually has.")
    return _ok("page_count", f"The document has {n} page{'s' if n != 1 else ''}.")


def check_duplicate(s: Subject) -> Outcome:
    """The same bytes (sha256) were not uploaded with another application."""
    rows = db.session.execute(
        sa.select(CoachApplication.id, CoachApplication.user_id)
        .join(ApplicationDocument, ApplicationDocument.application_id == CoachApplication.id)
        .where(ApplicationDocument.sha256 == s.document.sha256, CoachApplication.id != s.application.id)
        .order_by(CoachApplication.id)
        .limit(5)
    ).all()
    if not rows:
        return _ok("duplicate", "This file was not uploaded with any other application.")
    others = [r for r in rows if r.user_id != s.application.user_id]
    ids = ", ".join(f"#{r.id}" for r in (others or rows))
    if others:
        return _fail("duplicate", f"The same file was uploaded by another person with application {ids}.")
    return _warn("duplicate", f"The same file was uploaded with this person's earlier application {ids}.")


def check_ipec_number(s: Subject) -> Outcome:
    """The iPEC number is well formed (IPEC- and 4 to 8 digits) and no other approved coach holds it."""
    number = (s.application.ipec_number or "").strip().upper()
    if not IPEC_NUMBER.match(number):
        return _fail("ipec_number", f"“{number}” is not a well-formed iPEC number (IPEC- followed by 4 to 8 digits).")
    holder = db.session.scalar(
        sa.select(CoachProfile.user_id).where(
            CoachProfile.ipec_number == number, CoachProfile.user_id != s.application.user_id
        )
    )
    if holder is not None:
        return _fail("ipec_number", f"The iPEC number {number} already belongs to another approved coach.")
    return _ok("ipec_number", f"The iPEC number {number} is well formed and not held by another coach.")


def check_certification_date(s: Subject, today: date | None = None) -> Outcome:
    """The date is not in the future, not before iPEC existed, and fits the level and experience."""
    today = today or date.today()
    when, level = s.application.certification_date, s.application.certification_level
    if when is None or level is None:
        return _fail("certification_date", "The certification date or level is missing.")
    if when > today:
        return _fail("certification_date", f"The certification date {when.isoformat()} is in the future.")
    if when < IPEC_FOUNDED:
        return _fail("certification_date", f"The certification date {when.isoformat()} is before iPEC existed (1999).")
    years = s.application.years_experience or 0
    need = LEVEL_MIN_YEARS[level]
    if years < need:
        return _warn(
            "certification_date",
            f"A {level.value} certification usually comes with at least {need} year(s) of coaching; "
            f"the applicant states {years}.",
        )
    return _ok("certification_date", f"Certified {level.value} on {when.isoformat()}: plausible.")


def check_text(s: Subject) -> Outcome:
    """The certificate's words are read: the PDF's text layer, else OCR (Tesseract) of the first page."""
    if not s.opened:
        s.reading = reading.Reading(reading.NONE, problem="The file does not open, so nothing could be read")
        return _fail("text", "No text was read because the file does not open.")
    command = current_app.config.get("OCR_COMMAND", "tesseract")
    s.reading = r = reading.read(s.data, sniff(s.data) == PDF, command)
    if r.source == reading.TEXT_LAYER:
        return _ok("text", f"Read from the PDF's text layer: {len(r.words)} words.")
    if r.source == reading.NONE:
        return _warn("text", f"{r.problem}: nothing could be read, so the claims below are left to the eye.")
    turned = f", turned {r.rotation:g}°" if r.rotation else ""
    if not r.words:
        return _warn("text", "OCR found no text on the certificate; check it by eye.")
    summary = f"Read by OCR (Tesseract): {len(r.words)} words, mean confidence {r.confidence:.0f}%{turned}"
    if r.confidence < reading.GOOD_CONFIDENCE:
        return _warn("text", f"{summary}. The scan is hard to read: a value not found may still be there.")
    return _ok("text", f"{summary}.")


def _read(s: Subject) -> reading.Reading:
    return s.reading or reading.Reading(reading.NONE, problem="The certificate was not read")


def check_name(s: Subject) -> Outcome:
    """The applicant's name appears on the certificate (accents, middle names and order forgiven)."""
    return cross_checks.check_name(_read(s), s.application.first_name.strip(), s.application.last_name.strip())


def check_certificate_number(s: Subject) -> Outcome:
    """The number printed on the certificate is the claimed iPEC number."""
    return cross_checks.check_number(_read(s), (s.application.ipec_number or "").strip().upper())


def check_level(s: Subject) -> Outcome:
    """The level the certificate names is the claimed level."""
    return cross_checks.check_level(_read(s), s.application.certification_level)


def check_certificate_date(s: Subject) -> Outcome:
    """A date on the certificate is the claimed certification date."""
    return cross_checks.check_date(_read(s), s.application.certification_date)


def check_issuer(s: Subject) -> Outcome:
    """The certificate names iPEC."""
    return cross_checks.check_issuer(_read(s))


def _render_preview(s: Subject) -> bytes:
    from PIL import Image

    if s.reading is not None and s.reading.page_image is not None:  # the upright page the OCR read
        image = s.reading.page_image.copy()
        image.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX))
    elif sniff(s.data) == PDF:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(s.data)
        try:
            page = pdf[0]
            width, height = page.get_size()
            scale = max(0.05, min(2.0, PREVIEW_MAX_PX / max(width, height, 1)))
            image = page.render(scale=scale).to_pil()
        finally:
            pdf.close()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(s.data))
            image.load()
        image.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def check_preview(s: Subject) -> Outcome:
    """A first-page PNG preview is rendered for the reviewer (stored by the caller)."""
    if not s.opened:
        return _fail("preview", "No preview: the file does not open.")
    try:
        s.preview_png = _render_preview(s)
    except Exception as exc:  # noqa: BLE001 - a renderer error must not crash the job
        log.info("document %s preview failed: %s", s.document.id, exc)
        return _fail("preview", "The first page could not be rendered as a preview.")
    return _ok("preview", "A preview of the first page is shown to the reviewer.")


CHECKS: list[Callable[[Subject], Outcome]] = [
    check_file_type,
    check_opens,
    check_active_content,
    check_page_count,
    check_duplicate,
    check_ipec_number,
    check_certification_date,
    check_text,
    check_name,
    check_certificate_number,
    check_level,
    check_certificate_date,
    check_issuer,
    check_preview,
]

CHECK_TITLES = {
    "file_type": "File type",
    "opens": "Opens",
    "active_content": "Active content",
    "page_count": "Page count",
    "duplicate": "Duplicate file",
    "ipec_number": "iPEC number",
    "certification_date": "Certification date",
    "text": "Text on certificate",
    "name": "Name on certificate",
    "certificate_number": "Number on certificate",
    "level": "Level on certificate",
    "certificate_date": "Date on certificate",
    "issuer": "Issuer",
    "preview": "Preview",
}


def evaluate(subject: Subject) -> list[Outcome]:
    """Run every check in order; a check that raises becomes a failure with a message."""
    outcomes = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        try:
            outcomes.append(check(subject))
        except Exception:  # noqa: BLE001 - one broken check must not stop the others
            log.exception("check %s crashed on document %s", name, subject.document.id)
            outcomes.append(_fail(name, "This check could not be completed; review the file by eye."))
    return outcomes


__all__ = ["CHECKS", "CHECK_TITLES", "Outcome", "Subject", "evaluate", "JPEG", "PNG", "PDF"]
