"""Residents' photos: checked by their content (not their name), re-encoded to strip metadata.

A file is accepted when Pillow identifies it as JPEG, PNG or HEIC/HEIF, it is at most 5 MB, and it
has at most MAX_PIXELS pixels; the pixel size is read from the header before anything is decoded,
so a small file that would inflate to a huge bitmap (a decompression bomb) is refused without
being expanded. What is stored is a fresh JPEG of the pixels only: EXIF (GPS position, camera,
owner name), XMP and ICC data are gone; the EXIF orientation is applied first.
"""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from propserv.images import pixels_only_jpeg

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
# 16 MP: a 12 MP phone photo passes; a 20 MP bitmap (or a bomb claiming to be one) does not.
MAX_PIXELS = 16_000_000
# Stored photos are scaled to fit in this box: plenty for a repair, small on the disk.
STORE_BOX = (2560, 2560)
ACCEPTED_FORMATS = {"JPEG", "PNG", "HEIF"}

_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        register_heif_opener()
        _heif_registered = True


def clean_photo(upload) -> ContentFile:
    """A validated, re-encoded JPEG of `upload`, or ValidationError with a message for residents."""
    _register_heif()
    name = getattr(upload, "name", "photo")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("%(name)s is larger than 5 MB. Send a smaller photo.") % {"name": name},
            code="too_big",
        )
    data = upload.read()
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("%(name)s is larger than 5 MB. Send a smaller photo.") % {"name": name},
            code="too_big",
        )
    not_image = ValidationError(
        _("%(name)s is not a JPEG, PNG or HEIC photo.") % {"name": name}, code="not_image"
    )
    too_many_pixels = ValidationError(
        _("%(name)s has too many pixels. Send a photo of at most 16 megapixels.") % {"name": name},
        code="too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns before it raises; both mean "refuse".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise not_image
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise too_many_pixels
                image.load()
                out = pixels_only_jpeg(ImageOps.exif_transpose(image), STORE_BOX)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many_pixels from exc
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise not_image from exc
    return ContentFile(out, name="photo.jpg")


def clean_photos(uploads) -> list[ContentFile]:
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("Send at most 3 photos."), code="too_many")
    return [clean_photo(u) for u in uploads]
