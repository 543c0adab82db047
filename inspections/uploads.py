"""Uploads checked by their content, not their name (like the resident form's photos):
drawings and documents are PDFs or JPEG/PNG images; photos are JPEG/PNG/HEIC, re-encoded as a
fresh JPEG so no EXIF (GPS, camera) is kept. A file whose content is not what its name claims
is refused with a translated message and nothing is stored.
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

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 16_000_000
STORE_BOX = (2560, 2560)
PHOTO_FORMATS = {"JPEG", "PNG", "HEIF"}
IMAGE_SUFFIXES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}

register_heif_opener()


def _read(upload) -> bytes:
    name = getattr(upload, "name", "file")
    if upload.size > MAX_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name}, code="too_big")
    data = upload.read()
    if len(data) > MAX_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name}, code="too_big")
    return data


def _suffix(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def clean_document(upload) -> tuple[ContentFile, str]:
    """(file, content type) of a drawing or document: a PDF, or a JPEG/PNG image."""
    name = getattr(upload, "name", "file")
    data = _read(upload)
    suffix = _suffix(name)
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
            raise ValidationError(
                _("%(name)s is not the PDF its name claims.") % {"name": name}, code="not_pdf"
            )
        return ContentFile(data, name=name), "application/pdf"
    if suffix not in IMAGE_SUFFIXES:
        raise ValidationError(
            _("%(name)s: send a PDF, JPEG or PNG file.") % {"name": name}, code="bad_type"
        )
    out = _reencode(data, name, formats={IMAGE_SUFFIXES[suffix]})
    return ContentFile(out, name=name.rsplit(".", 1)[0] + ".jpg"), "image/jpeg"


def clean_photo(upload) -> ContentFile:
    """A validated, re-encoded JPEG of a photo (a worker's, a patrol's)."""
    name = getattr(upload, "name", "photo")
    return ContentFile(_reencode(_read(upload), name, formats=PHOTO_FORMATS), name="photo.jpg")


def _reencode(data: bytes, name: str, *, formats: set[str]) -> bytes:
    not_image = ValidationError(
        _("%(name)s is not the image its name claims.") % {"name": name}, code="not_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in formats:
                    raise not_image
                if image.size[0] * image.size[1] > MAX_PIXELS:
                    raise ValidationError(
                        _("%(name)s has too many pixels (at most 16 megapixels).") % {"name": name},
                        code="too_many_pixels",
                    )
                image.load()
                out = pixels_only_jpeg(ImageOps.exif_transpose(image), STORE_BOX)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise not_image from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise not_image from exc
    return out
