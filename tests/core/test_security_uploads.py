"""Photos keep pixels only: every re-encode (a technician's repair photo, a resident's report
photo, a renovation photo or drawing) drops a JPEG comment (here a PHP payload), EXIF and the
GPS position."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inspections import uploads as inspection_uploads
from tickets.services.repairs import photos as repair_photos
from visits.public import photos as report_photos

PAYLOAD = b"<?php system($_GET['c']); ?>"


def _hostile_jpeg() -> bytes:
    image = Image.new("RGB", (320, 240), (30, 140, 200))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Ltd"  # Make
    exif[0x0131] = "<?php echo 1; ?>"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (22.0, 32.0, 10.0)
    gps[3] = "E"
    gps[4] = (113.0, 56.0, 5.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", comment=PAYLOAD, exif=exif)
    return out.getvalue()


def test_the_hostile_sample_really_carries_comment_exif_and_gps():
    data = _hostile_jpeg()
    assert PAYLOAD in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.info["comment"] == PAYLOAD
        assert image.getexif().get_ifd(0x8825)[2] == (22.0, 32.0, 10.0)


CLEANERS = {
    "repair photo": lambda f: repair_photos.clean_photo(f),
    "resident report photo": lambda f: report_photos.clean_photo(f),
    "renovation photo": lambda f: inspection_uploads.clean_photo(f),
    "renovation drawing": lambda f: inspection_uploads.clean_document(f)[0],
}


@pytest.mark.parametrize("kind", list(CLEANERS))
def test_what_is_stored_has_pixels_only(kind):
    upload = SimpleUploadedFile("photo.jpg", _hostile_jpeg(), "image/jpeg")
    stored = CLEANERS[kind](upload).read()
    assert PAYLOAD not in stored and b"<?php" not in stored
    assert b"SpyCam" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert "comment" not in image.info and "exif" not in image.info
        assert not image.getexif() and not image.getexif().get_ifd(0x8825)
        assert image.size == (320, 240)
        assert image.getpixel((100, 100))[2] > 150  # still the picture
