"""Reads of title certificates: the owners paid in full (from fees), the waiting list, the unit
panel."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from fees.models import Charge
from propserv.models import Resident
from visits.models import TitleCertificate


def paid_in_full_owners(estate):
    """Current owners of the estate's units that have been billed and owe nothing: every charge
    paid or cancelled (fees)."""
    charges = Charge.objects.filter(unit=OuterRef("unit"), cancelled_at__isnull=True)
    return (
        Resident.objects.filter(estate=estate, role=Resident.Role.OWNER, moved_out_on__isnull=True)
        .filter(Exists(charges))
        .exclude(Exists(Charge.objects.open().filter(unit=OuterRef("unit"))))
        .select_related("unit")
        .order_by("unit__code", "pk")
    )


def waiting(estate, today: dt.date | None = None) -> list[TitleCertificate]:
    """Who is still waiting for a certificate, longest first, with the days waited."""
    today = today or timezone.localdate()
    rows = list(
        TitleCertificate.objects.filter(estate=estate)
        .exclude(stage=TitleCertificate.Stage.HANDED)
        .select_related("unit", "owner")
        .order_by("listed_on", "unit__code")
    )
    for row in rows:
        row.days_waiting = (today - row.listed_on).days
    return rows


def unit_titles_panel(request, unit):
    rows = list(TitleCertificate.objects.filter(unit=unit).select_related("owner"))
    return {"certificates": rows} if rows else None
