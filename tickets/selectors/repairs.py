"""Composite reads of repairs: the front-desk board, the technician's jobs, the repeat lists
(docs/domain.md, Repairs). Views and reports read through these; nothing here writes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q

from propserv.access import staff_of
from propserv.phones import phone_for
from propserv.roles import Role
from tickets.models import Repair
from tickets.selectors.common import first_open_deadline

BOARD_SIZE = 200


def repairs_for(user):
    """The repairs of `user`'s estates, with what every list shows."""
    return Repair.objects.for_user(user).select_related(
        "estate", "unit__building", "category", "technician"
    )


def technicians_of(estate):
    return staff_of(estate, Role.TECHNICIAN)


def phone_of(repair: Repair, viewer) -> str:
    """The resident's number as `viewer` may see it: whole for the desk (propserv.phones) and
    for the technician on their own job, who must call the resident; masked for anyone else
    (docs/domain.md, Confidentiality)."""
    if repair.technician_id is not None and viewer.pk == repair.technician_id:
        return repair.reporter_phone
    return phone_for(viewer, repair.reporter_phone)


def may_call(repair: Repair, viewer) -> bool:
    """Whether `viewer` gets a tap-to-call link (they see the whole number)."""
    phone = repair.reporter_phone
    return bool(phone) and phone_of(repair, viewer) == phone


def unit_location(repair: Repair) -> dict:
    """Where to go: building, floor and unit code (and the place typed at intake)."""
    unit = repair.unit
    return {
        "building": (unit.building.name or unit.building.code) if unit else "",
        "floor": unit.floor if unit else None,
        "unit": unit.code if unit else "",
        "where": repair.location,
    }


def photos_of(repair: Repair) -> list:
    """The job's photos: the resident's from the report form, then before and after."""
    return list(repair.photos.all())


def _row(repair: Repair, now, viewer=None) -> dict:
    deadline = first_open_deadline(repair.deadlines.all())
    row = {
        "repair": repair,
        "deadline": deadline,
        "state": deadline.state(now) if deadline else "none",
    }
    if viewer is not None:
        row["phone"] = phone_of(repair, viewer)
        row["call"] = may_call(repair, viewer)
    return row


def board_rows(user, estate, now) -> list[dict]:
    """Open repairs of `estate`, the one with the least time left first: {repair, deadline,
    state, phone} each."""
    if estate is None:
        return []
    repairs = (
        repairs_for(user)
        .filter(estate=estate)
        .open()
        .annotate(
            next_due=Min(
                "deadlines__due_at",
                filter=Q(deadlines__met_at__isnull=True, deadlines__cancelled_at__isnull=True),
            )
        )
        .prefetch_related("deadlines")
        .order_by("next_due", "received_at")[:BOARD_SIZE]
    )
    return [_row(repair, now, viewer=user) for repair in repairs]


def my_job_rows(user, now) -> list[dict]:
    """The technician's open jobs (not yet completed), urgent first."""
    jobs = (
        repairs_for(user)
        .filter(technician=user)
        .open()
        .exclude(status__in=[Repair.Status.COMPLETED, Repair.Status.CALLED_BACK])
        .prefetch_related("deadlines", "photos")
        .order_by("-urgent", "received_at")
    )
    rows = [_row(repair, now, viewer=user) for repair in jobs]
    for row in rows:
        row["location"] = unit_location(row["repair"])
    return rows


def repeat_repairs(estate, start: dt.datetime, end: dt.datetime, min_count: int) -> list[dict]:
    """The same unit and repair category `min_count` times or more in [start, end)."""
    in_window = Repair.objects.filter(
        estate=estate, unit__isnull=False, received_at__gte=start, received_at__lt=end
    ).exclude(status=Repair.Status.CANCELLED)
    groups = (
        in_window.values("unit_id", "unit__code", "category_id", "category__name")
        .annotate(n=Count("id"))
        .filter(n__gte=min_count)
        .order_by("-n", "unit__code")
    )
    rows = []
    for g in groups:
        repairs = in_window.filter(unit_id=g["unit_id"], category_id=g["category_id"]).order_by(
            "received_at"
        )
        rows.append(
            {
                "unit": g["unit__code"],
                "category": g["category__name"],
                "count": g["n"],
                "numbers": [r.number for r in repairs],
                "ids": [r.pk for r in repairs],
            }
        )
    return rows


def repeat_repair_counts(estate, pairs, *, since: dt.datetime) -> dict[tuple[int, int], int]:
    """{(unit id, category id): repairs since `since`} for the pairs that reach the repeat count."""
    pairs = {p for p in pairs if p[0] is not None}
    if not pairs:
        return {}
    threshold = estate.service_settings.repeat_repair_count
    condition = Q()
    for unit_id, category_id in pairs:
        condition |= Q(unit_id=unit_id, category_id=category_id)
    rows = (
        Repair.objects.filter(condition, estate=estate, received_at__gte=since)
        .exclude(status=Repair.Status.CANCELLED)
        .values("unit_id", "category_id")
        .annotate(n=Count("id"))
        .filter(n__gte=threshold)
    )
    return {(r["unit_id"], r["category_id"]): r["n"] for r in rows}
