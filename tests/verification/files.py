"""Generated test files: real PDFs (reportlab), PNG/JPEG (Pillow), and broken or hostile ones."""

from __future__ import annotations

import io

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def certificate_pdf(name: str = "Ada Lovelace", pages: int = 1, level: str = "Professional") -> bytes:
    """A small certificate PDF naming `name`."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n in range(pages):
        c.setFont("Helvetica-Bold", 24)
        c.drawString(72, 700, "iPEC Certificate of Completion")
        c.setFont("Helvetica", 14)
        c.drawString(72, 660, f"This certifies that {name}")
        c.drawString(72, 640, f"is a Certified {level} Coach (page {n + 1}).")
        c.showPage()
    c.save()
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
