"""Reading a certificate: its PDF text layer when it has one, otherwise OCR with Tesseract.

Every word keeps its box on the first page (fractions of the page, so the review page can outline
it on the preview at any size). Scans are turned upright first: lines are found by a projection
profile (sideways or skewed a few degrees), and a page that reads badly is tried upside down.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

TEXT_LAYER, OCR, NONE = "text_layer", "ocr", "none"
MIN_TEXT_LAYER_CHARS = 20  # fewer letters and digits than this: treat the PDF as a scan
OCR_DPI = 200
OCR_MAX_PX = 2400  # a phone photo is scaled down to this many pixels on its long side
OCR_MIN_PX = 2300  # a small scan is scaled up to this (about A4 at 200 dpi): small letters read badly
OCR_TIMEOUT = 60
GOOD_CONFIDENCE = 60  # below this mean word confidence the page is also read upside down
TEXT_PAGES = 3

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the first page, top left 0


@dataclass
class Word:
    """One word read, with its box on the first page (None on later pages)."""

    text: str
    box: Box | None = None
    line: int = 0


@dataclass
class Reading:
    """What was read from a certificate, where from, and how sure the OCR was."""

    source: str
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None  # mean OCR word confidence, 0-100
    rotation: float = 0.0  # degrees the scan was turned (counter-clockwise) to read it
    problem: str | None = None  # why nothing could be read
    page_image: object | None = None  # the upright page (PIL image) the OCR boxes refer to

    @property
    def text(self) -> str:
        """The words, one line of the certificate per line."""
        lines: list[list[str]] = []
        last = None
        for word in self.words:
            if word.line != last:
                lines.append([])
                last = word.line
            lines[-1].append(word.text)
        return "\n".join(" ".join(line) for line in lines)


class OcrUnavailable(Exception):
    """Tesseract could not be run (not installed, crashed, timed out)."""


# --- the PDF text layer ----------------------------------------------------------------------


def _page_words(page, line_base: int, with_boxes: bool) -> list[Word]:
    textpage = page.get_textpage()
    width, height = page.get_size()
    words: list[Word] = []
    current, box, line = "", None, line_base
    try:
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            if char in ("\n", "\r") or not char.strip():
                if current:
                    words.append(Word(current, box if with_boxes else None, line))
                current, box = "", None
                if char == "\n":
                    line += 1
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            cb = (left / width, 1 - top / height, right / width, 1 - bottom / height)
            box = (
                cb if box is None else (min(box[0], cb[0]), min(box[1], cb[1]), max(box[2], cb[2]), max(box[3], cb[3]))
            )
            current += char
        if current:
            words.append(Word(current, box if with_boxes else None, line))
    finally:
        textpage.close()
    return words


def read_text_layer(data: bytes) -> Reading | None:
    """The words of the first pages' text layer, or None when the PDF has (next to) no text."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        words: list[Word] = []
        for index in range(min(len(pdf), TEXT_PAGES)):
            line_base = (words[-1].line + 1) if words else 0
            words += _page_words(pdf[index], line_base, with_boxes=index == 0)
    finally:
        pdf.close()
    if sum(ch.isalnum() for w in words for ch in w.text) < MIN_TEXT_LAYER_CHARS:
        return None
    return Reading(TEXT_LAYER, words)


# --- OCR -------------------------------------------------------------------------------------


def _line_score(inverted, angle: float) -> float:
    """How sharply rows of text stand out after turning by `angle` (high: lines are horizontal)."""
    from PIL import Image

    turned = inverted.rotate(angle, expand=True, resample=Image.Resampling.BILINEAR)
    rows = list(turned.resize((1, turned.height), Image.Resampling.BOX).get_flattened_data())
    return sum((rows[i + 1] - rows[i]) ** 2 for i in range(len(rows) - 1)) / max(len(rows), 1)


def upright_angle(image) -> float:
    """The turn (degrees, counter-clockwise) that makes the text lines horizontal: sideways or skewed."""
    from PIL import ImageOps

    small = image.convert("L")
    small.thumbnail((500, 500))
    inverted = ImageOps.invert(small)
    coarse = max((base + a for base in (0, 90) for a in range(-7, 8)), key=lambda a: _line_score(inverted, a))
    return max((coarse - 0.5, coarse, coarse + 0.5), key=lambda a: _line_score(inverted, a)) % 360


def _tesseract(image, command: str) -> tuple[list[Word], list[float], tuple[int, int]]:
    """Run Tesseract on one image; its words (boxes as fractions), confidences and the image size."""
    png = io.BytesIO()
    image.save(png, format="PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per job; threads only fight on a busy host
    try:
        done = subprocess.run(
            [command, "stdin", "stdout", "--psm", "3", "--dpi", str(OCR_DPI), "-l", "eng", "tsv"],
            input=png.getvalue(),
            capture_output=True,
            timeout=OCR_TIMEOUT,
            env=env,
            check=False,
        )
    except FileNotFoundError as exc:
        raise OcrUnavailable(
            f"Tesseract (OCR) is not installed on this server (command “{command}” not found)"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrUnavailable(f"OCR took longer than {OCR_TIMEOUT} s and was stopped") from exc
    if done.returncode != 0:
        log.warning("tesseract failed: %s", done.stderr.decode(errors="replace")[-500:])
        raise OcrUnavailable(f"Tesseract (OCR) failed with exit code {done.returncode}")
    width, height = image.size
    words, confidences = [], []
    for row in done.stdout.decode("utf-8", errors="replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip() or float(cols[10]) < 0:
            continue
        left, top, w, h = (int(c) for c in cols[6:10])
        line = int(cols[2]) * 10_000 + int(cols[3]) * 100 + int(cols[4])
        words.append(Word(cols[11].strip(), (left / width, top / height, (left + w) / width, (top + h) / height), line))
        confidences.append(float(cols[10]))
    return words, confidences, (width, height)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def ocr_image(image, command: str) -> Reading:
    """OCR one page image: turned upright first, then read; a poor read is retried upside down."""
    from PIL import Image

    image = image.convert("L")
    if max(image.size) > OCR_MAX_PX:
        image.thumbnail((OCR_MAX_PX, OCR_MAX_PX))
    elif max(image.size) < OCR_MIN_PX:
        factor = OCR_MIN_PX / max(image.size)
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)
    angle = upright_angle(image)
    best = None
    for extra in (0, 180):
        turned = (
            image.rotate(angle + extra, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
            if (angle + extra) % 360
            else image
        )
        words, confidences, _size = _tesseract(turned, command)
        reading = Reading(OCR, words, round(_mean(confidences), 1), (angle + extra) % 360, page_image=turned)
        if best is None or (reading.confidence or 0) * len(words) > (best.confidence or 0) * len(best.words):
            best = reading
        if best.confidence >= GOOD_CONFIDENCE and len(best.words) >= 5:
            break
    return best


def _first_page_image(data: bytes, is_pdf: bool):
    from PIL import Image

    if not is_pdf:
        return Image.open(io.BytesIO(data))
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return pdf[0].render(scale=OCR_DPI / 72).to_pil()
    finally:
        pdf.close()


def read(data: bytes, is_pdf: bool, command: str) -> Reading:
    """The certificate's text: the text layer if the PDF has one, else OCR of the first page."""
    if is_pdf:
        layer = read_text_layer(data)
        if layer is not None:
            return layer
    try:
        return ocr_image(_first_page_image(data, is_pdf), command)
    except OcrUnavailable as exc:
        kind = "PDF has no text layer" if is_pdf else "certificate is an image"
        return Reading(NONE, problem=f"The {kind} and {exc}")
