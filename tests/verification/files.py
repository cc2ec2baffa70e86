"""Generated test files: real PDFs (reportlab), PNG/JPEG (Pillow), and broken or hostile ones."""

from __future__ import annotations

import io

import pypdfium2
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def certificate_pdf(
    name: str = "Ada Lovelace",
    pages: int = 1,
    level: str = "Certified Professional Coach",
    number: str | None = None,
    certified_on: str | None = None,
    issuer: str = "iPEC Certificate of Completion",
) -> bytes:
    """A small certificate PDF with a text layer naming `name`, the level and, if given, number and date."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n in range(pages):
        c.setFont("Helvetica-Bold", 24)
        c.drawString(72, 700, issuer)
        c.setFont("Helvetica", 14)
        c.drawString(72, 660, f"This certifies that {name}")
        c.drawString(72, 640, f"is a {level} (page {n + 1}).")
        if number:
            c.drawString(72, 600, f"Certificate number: {number}")
        if certified_on:
            c.drawString(72, 580, f"Date: {certified_on}")
        c.showPage()
    c.save()
    return out.getvalue()


def certificate_for(application, **overrides) -> bytes:
    """A certificate that agrees with every claim of `application`, unless `overrides` say otherwise."""
    values = {
        "name": f"{application.first_name} {application.last_name}",
        "number": application.ipec_number,
        "certified_on": application.certification_date.isoformat(),
        **overrides,
    }
    return certificate_pdf(**values)


def rasterise(pdf: bytes, fmt: str = "PNG", dpi: int = 150, turn: float = 0) -> bytes:
    """The PDF's first page as a PNG or JPEG scan, turned `turn` degrees counter-clockwise."""
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=dpi / 72).to_pil().convert("L")
    if turn:
        image = image.rotate(turn, expand=True, fillcolor=255)
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


def image_only_pdf(pdf: bytes, dpi: int = 150) -> bytes:
    """The PDF's first page as a PDF holding only a picture of it (no text layer): a scanned PDF."""
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=dpi / 72).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=dpi)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (400, 300)) -> bytes:
    """A plain image in PNG or JPEG."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(out, format=fmt)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """Starts like a PDF, then garbage."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF"


def executable() -> bytes:
    """An ELF header (what a renamed program looks like)."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 400


def oversized(limit: int) -> bytes:
    """A valid-looking PDF header padded past the limit."""
    return b"%PDF-1.4\n" + b"0" * (limit + 1)
