"""The technician's photos of a job, before and after the work (docs/domain.md, Repairs).

A file is accepted by its content, not its name: Pillow must identify it as JPEG or PNG, at most
5 MB and 16 megapixels (read from the header before decoding, so a decompression bomb is refused
unexpanded). What is stored is a fresh JPEG of the pixels only (no EXIF position or camera data).
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from propserv.errors import InvalidTransition
from propserv.images import pixels_only_jpeg
from tickets.models import Repair, RepairPhoto
from tickets.services.repairs.core import check_on_site, lock_repair

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 16_000_000
STORE_BOX = (2560, 2560)
ACCEPTED_FORMATS = {"JPEG", "PNG"}
MAX_PHOTOS_PER_KIND = 6


def clean_photo(upload) -> ContentFile:
    """A re-encoded JPEG of `upload`, or ValidationError({"image": …})."""
    if upload.size > MAX_BYTES:
        raise ValidationError({"image": _("The photo is larger than 5 MB.")}, code="too_big")
    data = upload.read(MAX_BYTES + 1)
    not_image = ValidationError({"image": _("This file is not a JPEG or PNG photo.")})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_image
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError({"image": _("The photo has more than 16 megapixels.")})
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise not_image from exc
    return ContentFile(pixels_only_jpeg(picture, STORE_BOX), name="photo.jpg")


@transaction.atomic
def repair_add_photo(*, repair_id: int, kind: str, upload, actor) -> RepairPhoto:
    """A photo before or after the work, by the technician on the job (or the desk)."""
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if repair.status in (Repair.Status.CLOSED, Repair.Status.CANCELLED):
        # allowed_actions offers no "photo" here; the service accepts exactly what it offers.
        raise InvalidTransition(_("A closed or cancelled repair takes no more photos."))
    if kind not in (RepairPhoto.Kind.BEFORE, RepairPhoto.Kind.AFTER):
        raise ValidationError({"kind": _("Choose before or after the work.")})
    if repair.photos.filter(kind=kind).count() >= MAX_PHOTOS_PER_KIND:
        raise ValidationError({"image": _("Enough photos of this kind already.")})
    content = clean_photo(upload)
    return RepairPhoto.objects.create(repair=repair, kind=kind, image=content, uploaded_by=actor)
