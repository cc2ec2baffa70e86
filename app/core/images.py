"""Opening untrusted images safely: one format only, decompression bombs refused, orientation kept,
every piece of metadata dropped (coach photos, message attachment previews)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a file claiming more than this is a decompression bomb


def decode_rgb(data: bytes, pil_format: str, refuse: Callable[[str], Exception], noun: str = "image") -> Image.Image:
    """The image as RGB pixels in its intended orientation; `refuse(message)` is raised for a bomb
    or a file that does not decode as `pil_format`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[pil_format])
            if image.width * image.height > MAX_PIXELS:
                raise refuse(f"The {noun} has too many pixels.")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(f"The {noun} has too many pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refuse(f"The {noun} could not be read as an image.") from None
    image = ImageOps.exif_transpose(image)  # keep the intended orientation, then drop all metadata
    return image.convert("RGB")


def jpeg(image: Image.Image) -> bytes:
    """Re-encode as a JPEG carrying no metadata (no exif=, no icc)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
