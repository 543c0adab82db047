"""The one way every upload becomes a stored photo: re-encoded as a JPEG of its pixels only.

A decoded image keeps what its file carried (a JPEG comment, EXIF with GPS, an ICC profile) in
`info`, and Pillow writes some of it back on save; the callers (repair photos, the residents'
report form, renovation drawings) check format and size their own way, then hand the opened
image here."""

from __future__ import annotations

import io

from PIL import Image


def pixels_only_jpeg(image: Image.Image, box: tuple[int, int]) -> bytes:
    """`image` (already loaded and turned upright) flattened onto white if it has transparency,
    shrunk to fit `box`, as JPEG bytes without any metadata."""
    if image.mode not in ("RGB", "L"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    image.thumbnail(box)
    image.info = {}  # pixels only: Pillow would copy a decoded JPEG comment into the new file
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
