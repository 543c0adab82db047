"""Composite reads of complaints: the list with its filters, my complaints, the repeat list
(docs/domain.md, Complaints). Nothing here writes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from propserv.deadlines import policy_for
from propserv.models import Deadline
from tickets.models import Complaint, SecondHandling
from tickets.selectors.common import first_open_deadline


def complaints_for(user):
    return Complaint.objects.for_user(user).select_related("estate", "unit", "owner", "graded_by")


def deadline_rows(items, now) -> list[dict]:
    """(first open deadline, its label and state) of each complaint (deadlines prefetched)."""
    rows = []
    for complaint in items:
        deadlines = list(complaint.deadlines.all())
        current = first_open_deadline(deadlines)
        rows.append(
            {
                "complaint": complaint,
                "deadline": current,
                "deadline_label": policy_for(current.kind).label if current else "",
                "state": current.state(now) if current else "none",
                "provisional": any(d.provisional for d in deadlines if d.is_open),
            }
        )
    return rows


def deadline_state_filter(qs, state: str, now):
    """Complaints with an open deadline `overdue`, `due_soon`, none late (`on_time`), or counted
    over a `provisional` calendar."""
    open_ = Deadline.objects.filter(
        complaint=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True
    )
    if state == "overdue":
        return qs.filter(Exists(open_.filter(due_at__lte=now)))
    if state == "due_soon":
        return qs.filter(Exists(open_.filter(due_at__gt=now, warn_at__lte=now)))
    if state == "on_time":
        return qs.exclude(Exists(open_.filter(Q(due_at__lte=now) | Q(warn_at__lte=now))))
    if state == "provisional":
        return qs.filter(Exists(open_.filter(provisional=True)))
    return qs


def my_rows(user, now) -> list[dict]:
    """The open complaints `user` owns, oldest first."""
    items = (
        complaints_for(user)
        .filter(owner=user)
        .open()
        .prefetch_related("deadlines")
        .order_by("received_at")
    )
    return deadline_rows(items, now)


def my_second_handlings(user):
    return (
        SecondHandling.objects.for_user(user)
        .filter(Q(area_admin=user) | Q(department_head=user), done_at__isnull=True)
        .select_related("repair", "complaint", "area_admin", "department_head")
    )


def repeat_complaints(estate, start: dt.datetime, end: dt.datetime) -> list[dict]:
    rows = (
        Complaint.objects.filter(
            estate=estate, repeat_flagged=True, received_at__gte=start, received_at__lt=end
        )
        .select_related("unit", "same_matter_as")
        .order_by("received_at", "id")
    )
    return [
        {
            "id": c.pk,
            "number": c.number,
            "first": c.same_matter_as.number if c.same_matter_as_id else "",
            "count": c.repeat_count,
            "category": c.category,
            "who": c.who,
            "summary": c.description[:80],
        }
        for c in rows
    ]
