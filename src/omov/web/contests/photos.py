"""Candidates' photos: decoded and written anew, never stored or served as uploaded.

An upload is at most ``LARGEST_UPLOAD`` bytes and ``LARGEST_PIXELS`` pixels (checked from the
header, before decoding: a small file can claim a huge image). Pillow decodes it as JPEG,
PNG or WebP only, turns it upright from its EXIF orientation, scales it to fit
``SIDE`` x ``SIDE`` and writes a new JPEG with no metadata (no camera, place or time), under
a random name. What was uploaded, headers, trailing bytes, an HTML body behind a PNG
signature, comments, is not kept. The photo view serves the stored file as ``image/jpeg``
only (``contests/views.py``).
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.core.files.base import ContentFile
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from omov.web.errors import ContestError

LARGEST_UPLOAD = 2**20
LARGEST_PIXELS = 24_000_000
SIDE = 480
FORMATS = ("JPEG", "PNG", "WEBP")


def photo_reencoded(data: bytes) -> ContentFile[bytes]:
    """A new JPEG of the photo in ``data`` under a generated name, or ``ContestError``."""
    if len(data) > LARGEST_UPLOAD:
        raise ContestError(gettext("the photo is larger than 1 MB"))
    too_many = ContestError(gettext("the photo has more than 24 million pixels"))
    try:
        with warnings.catch_warnings():
            # Pillow's own guard, far above ours, warns or refuses as it opens the header.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > LARGEST_PIXELS:
                raise too_many
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ContestError(
            gettext("the photo could not be read as a JPEG, PNG or WebP image")
        ) from None
    upright.thumbnail((SIDE, SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
