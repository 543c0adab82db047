"""Printable QR sheets: one A4 sheet per building for its notice board, scanned by residents to
report a repair from their phone."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from propserv.models import Building
from propserv.web import current_estate
from visits.views.common import no_estate, user_estates


@login_required
def qr_buildings(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    return render(
        request,
        "visits/qr_buildings.html",
        {
            "estate": estate,
            "estates": user_estates(request),
            "buildings": Building.objects.filter(estate=estate).order_by("code"),
        },
    )


def qr_svg(data: str) -> str:
    """An inline SVG of a QR code (our own markup from the qrcode package; no user text in it)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - qrcode's markup of our own URL  # nosec B308 B703 - qrcode's SVG of our own URL


@login_required
def qr_sheet(request, pk: int):
    """A printable A4 sheet for a building's notice board: scan to report a repair."""
    building = get_object_or_404(
        Building.objects.for_user(request.user).select_related("estate"), pk=pk
    )
    url = request.build_absolute_uri(
        reverse("visits:report", args=[building.estate.code])
        + "?"
        + urlencode({"b": building.code})
    )
    return render(
        request,
        "visits/qr_sheet.html",
        {
            "building": building,
            "estate": building.estate,
            "url": url,
            "svg": qr_svg(url),
        },
    )
