"""Image files for the photo upload tests, made with Pillow in memory."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F


def jpeg(width: int = 800, height: int = 600, colour=(200, 90, 40)) -> bytes:
    """A plain JPEG photo."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def png_with_gps(width: int = 640, height: int = 480) -> bytes:
    """A PNG carrying EXIF with a camera make and GPS coordinates (Berlin)."""
    exif = Image.Exif()
    exif[MAKE] = "SpyCam"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG", exif=exif)
    return out.getvalue()


def decompression_bomb(edge: int = 10_000) -> bytes:
    """A small PNG that claims edge × edge pixels (100 million for the default)."""
    out = io.BytesIO()
    Image.new("1", (edge, edge)).save(out, "PNG", optimize=True)
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def over_limit(limit: int) -> bytes:
    """A JPEG padded to one byte more than limit (bytes after the end marker are ignored by readers)."""
    data = jpeg()
    return data + b"\0" * (limit + 1 - len(data))
