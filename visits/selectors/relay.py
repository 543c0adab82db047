"""Reads of the information relay and the common-area patrols: the desk's list, a head's own
items, the unit panel, the day's rounds."""

from __future__ import annotations

from django.db.models import Q

from visits.models import CommonPatrol, RelayItem


def relay_items(user, estate, *, show: str = "open"):
    qs = (
        RelayItem.objects.for_user(user)
        .filter(estate=estate)
        .select_related("visit", "visit__unit", "head", "reported_by")
        .order_by("-created_at", "-id")
    )
    if show == "open":
        qs = qs.exclude(visit__status="closed")
    elif show == "mine":
        qs = qs.filter(head=user).exclude(status__in=["done", "checked"])
    return qs


def unit_relay_panel(request, unit):
    rows = list(
        RelayItem.objects.filter(Q(visit__unit=unit) | Q(vacant_inspection__unit=unit))
        .exclude(visit__status="closed")
        .select_related("visit", "head")[:20]
    )
    return {"items": rows} if rows else None


def rounds(estate, days: int = 7):
    return list(
        CommonPatrol.objects.filter(estate=estate)
        .select_related("done_by")
        .prefetch_related("problems__place", "problems__repair", "problems__relay")
        .order_by("-day", "slot")[: days * 2]
    )
