"""Generated active-content PDFs: a clean certificate with one risky feature added by pypdf."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from tests.verification.files import certificate_pdf


def _writer(name: str) -> PdfWriter:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(certificate_pdf(name))))
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def _annotation(writer: PdfWriter, subtype: str, **entries) -> None:
    annot = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (72, 72, 200, 100)]),
            **{NameObject(f"/{k}"): v for k, v in entries.items()},
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])


def with_javascript(name: str = "Ada Lovelace") -> bytes:
    """A document-level script (the /Names /JavaScript tree with a /JS action)."""
    writer = _writer(name)
    script = writer._add_object(_action("/JavaScript", JS="app.alert('hello');"))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hello"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    return _bytes(writer)


def with_open_action(name: str = "Ada Lovelace") -> bytes:
    """An /OpenAction that opens a web address when the file is opened."""
    writer = _writer(name)
    writer._root_object[NameObject("/OpenAction")] = _action("/URI", URI="http://evil.example/")
    return _bytes(writer)


def with_open_destination(name: str = "Ada Lovelace") -> bytes:
    """A harmless /OpenAction: a destination that shows page 1 fitted to the window."""
    writer = _writer(name)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )
    return _bytes(writer)


def with_page_actions(name: str = "Ada Lovelace") -> bytes:
    """A page /AA (additional actions) entry that runs when the page opens."""
    writer = _writer(name)
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/URI", URI="http://x.example/")})
    return _bytes(writer)


def with_launch(name: str = "Ada Lovelace") -> bytes:
    """A link annotation whose action launches a program."""
    writer = _writer(name)
    _annotation(writer, "/Link", A=_action("/Launch", F="calc.exe"))
    return _bytes(writer)


def with_attachment(name: str = "Ada Lovelace") -> bytes:
    """An embedded file (the /EmbeddedFiles name tree)."""
    writer = _writer(name)
    writer.add_attachment("invoice.exe", b"MZ not really a program")
    return _bytes(writer)


def with_rich_media(name: str = "Ada Lovelace") -> bytes:
    """A /RichMedia annotation (Flash or video)."""
    writer = _writer(name)
    _annotation(writer, "/RichMedia")
    return _bytes(writer)


def zip_polyglot(name: str = "Ada Lovelace") -> bytes:
    """A PDF/ZIP polyglot: a ZIP archive appended after the PDF's %%EOF."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hidden " * 50)
    return certificate_pdf(name) + archive.getvalue()


def escaped_javascript(name: str = "Ada Lovelace") -> bytes:
    """The script's names spelled with #xx escapes (/J#53, /J#61vaScript), as evasive files do."""
    data = with_javascript(name)
    return data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
