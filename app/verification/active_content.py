"""Active content in uploaded PDFs: scripts, actions, attachments, media and data after the end.

A certificate is a page to look at. Anything a PDF reader would run, launch or unpack is risky for
the reviewer who opens the original, so the check names what it found and the reviewer is given a
flattened copy (every page re-rendered to an image) instead.
"""

from __future__ import annotations

import io
import logging
import re

log = logging.getLogger(__name__)

# PDF name -> what a reviewer should read. Keys are looked for as dictionary keys and as name values
# (an action's /S /JavaScript, a /Subtype /RichMedia annotation, a /Type /EmbeddedFile stream).
RISKY_NAMES = {
    "/JavaScript": "JavaScript",
    "/JS": "JavaScript",
    "/OpenAction": "an action that runs when the file is opened",
    "/AA": "actions that run on page or field events",
    "/Launch": "an action that launches a program or file",
    "/EmbeddedFile": "an attached file",
    "/EmbeddedFiles": "an attached file",
    "/RichMedia": "embedded media (Flash or video)",
}
MAX_OBJECTS = 50_000  # a certificate has dozens; past this the walk stops (and says so)
MAX_DEPTH = 40
FLAT_DPI = 150
FLAT_MAX_PAGES = 20
_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.S)


def _decode_name(raw: bytes) -> str:
    """A PDF name with its #xx escapes undone (/J#53 is /JS)."""
    return _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def trailing_bytes(data: bytes) -> int:
    """How many bytes other than whitespace follow the last %%EOF marker (-1: there is no marker)."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        return -1
    tail = data[end + 5 :]
    if not tail.strip(b"\r\n\t \x00\x0c"):  # padding only
        return 0
    return len(tail.lstrip(b"\r\n"))


def _raw_names(data: bytes) -> set[str]:
    """Names written in the file's plain (not stream-compressed) parts: a fallback for broken files."""
    outside_streams = _STREAM.sub(b" ", data)
    return {_decode_name(m.group(0)) for m in _NAME.finditer(outside_streams)}


def _walk(obj, found: set[str], seen: set[int], depth: int = 0) -> None:
    """Collect the risky names among `obj`'s keys and name values, following nested objects."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    if depth > MAX_DEPTH:
        return
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in RISKY_NAMES and not (key == "/OpenAction" and _is_destination(value)):
                found.add(key)
            _walk(value, found, seen, depth + 1)
    elif isinstance(obj, ArrayObject):
        for item in obj:
            _walk(item, found, seen, depth + 1)
    elif isinstance(obj, NameObject) and obj in RISKY_NAMES and obj != "/OpenAction":
        found.add(str(obj))


def _is_destination(value) -> bool:
    """An /OpenAction that is only a destination ([page /Fit]) shows a page and runs nothing."""
    from pypdf.generic import ArrayObject

    return isinstance(value.get_object() if hasattr(value, "get_object") else value, ArrayObject)


def _object_names(data: bytes) -> set[str]:
    """Risky names in every indirect object pypdf can read, compressed object streams included."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    found: set[str] = set()
    seen: set[int] = set()
    _walk(reader.trailer, found, seen)
    ids = {idnum for table in reader.xref.values() for idnum in table} | set(reader.xref_objStm)
    for idnum in sorted(ids)[:MAX_OBJECTS]:
        if idnum in seen:
            continue
        seen.add(idnum)
        try:
            _walk(reader.get_object(idnum), found, seen)
        except Exception:  # noqa: BLE001 - an unreadable object is skipped; the raw scan still sees it
            log.debug("object %s unreadable", idnum)
    return found


def find_active_content(data: bytes) -> list[str]:
    """The PDF names found that make the file active, in a stable order (empty: none found)."""
    raw = _raw_names(data) & set(RISKY_NAMES)
    try:
        found = _object_names(data)
    except Exception:  # noqa: BLE001 - pypdf could not parse it: every name in the raw scan counts
        log.info("active content: pypdf could not walk the file")
        found = set(raw)
    # Names outside the objects pypdf indexed still count (a reader that rebuilds a broken file's
    # index finds them); an /OpenAction is judged by the object walk, which sees its value.
    found |= raw - {"/OpenAction"}
    return [name for name in RISKY_NAMES if name in found]


def describe(names: list[str], trailing: int) -> str:
    """The reviewer's sentence for what was found."""
    what = []
    for name in names:
        if RISKY_NAMES[name] not in what:
            what.append(RISKY_NAMES[name])
    if trailing > 0:
        what.append(f"{trailing:,} bytes of other data after its end (a file hidden inside the PDF)")
    listed = what[0] if len(what) == 1 else ", ".join(what[:-1]) + " and " + what[-1]
    shown = f" ({', '.join(names)})" if names else ""
    return (
        f"The PDF contains {listed}{shown}. A certificate needs none of this and it can run in a PDF "
        "reader: use the preview or the flattened copy, not the original."
    )


def flatten(data: bytes) -> bytes:
    """A new PDF of the same pages rendered as images: no scripts, actions, attachments or extra data."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        images = []
        for index in range(min(len(pdf), FLAT_MAX_PAGES)):
            page = pdf[index]
            images.append(page.render(scale=FLAT_DPI / 72).to_pil().convert("RGB"))
    finally:
        pdf.close()
    if not images:
        raise ValueError("the PDF has no pages to render")
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=FLAT_DPI)
    return out.getvalue()
