"""Composite reads of callbacks: the queue with each call's clock, calling-hours advice and
repeat count, and the open second handlings (docs/domain.md, Callbacks). Nothing here writes."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType

from propserv.models import Deadline
from propserv.phones import phone_for
from tickets.models import Callback, Complaint, Repair, SecondHandling
from tickets.rules import complaints as crules
from tickets.rules import repairs as repair_rules
from tickets.selectors.repairs import repeat_repair_counts

QUEUE_SIZE = 300


def callbacks_for(user):
    return Callback.objects.for_user(user)


def rows(callbacks, estate, now, viewer) -> list[dict]:
    """Each callback with its clock state, the calling-hours advice, the phone as `viewer` may
    see it and how often the same matter came up."""
    settings_row = estate.service_settings
    kinds = {
        "repair": ContentType.objects.get_for_model(Repair),
        "complaint": ContentType.objects.get_for_model(Complaint),
    }
    repeats = repeat_repair_counts(
        estate,
        {(cb.repair.unit_id, cb.repair.category_id) for cb in callbacks if cb.repair_id},
        since=now - dt.timedelta(days=settings_row.repeat_window_days),
    )
    deadlines = {
        (d.content_type_id, d.object_id): d
        for d in Deadline.objects.open().filter(
            estate=estate, kind__in=[repair_rules.CALLBACK, crules.CALLBACK]
        )
    }
    out = []
    for cb in callbacks:
        ticket = cb.ticket  # None for a routine callback: no ticket, no clock but its due time
        deadline = deadlines.get((kinds[cb.ticket_kind].pk, ticket.pk)) if ticket else None
        due_at = deadline.due_at if deadline else cb.due_at
        out.append(
            {
                "callback": cb,
                "ticket": ticket,
                "due_at": due_at,
                "state": deadline.state(now) if deadline else ("red" if due_at <= now else "green"),
                "advice": cb.call_advice(now, due_at=due_at, settings_row=settings_row),
                "resident": cb.resident,
                "phone": phone_for(viewer, cb.phone),
                "repeat_count": 0
                if ticket is None
                else repeats.get((ticket.unit_id, ticket.category_id), 0)
                if cb.repair_id
                else (ticket.repeat_count if ticket.repeat_flagged else 0),
            }
        )
    return out


def queue_rows(user, estate, now, *, mine: bool = False) -> list[dict]:
    """The pending callbacks of `estate`, earliest due first (only `user`'s when `mine`)."""
    if estate is None:
        return []
    callbacks = (
        callbacks_for(user)
        .filter(estate=estate)
        .pending()
        .select_related(
            "repair__unit",
            "repair__category",
            "repair__reporter",
            "complaint__unit",
            "complaint__complainant",
            "unit",
            "contact",
            "assigned_to",
            "second_caller",
        )
        .prefetch_related("attempts")
        .order_by("due_at", "pk")
    )
    if mine:
        callbacks = callbacks.for_caller(user)
    return rows(list(callbacks[:QUEUE_SIZE]), estate, now, user)


def open_second_handlings(user, estate):
    if estate is None:
        return []
    return (
        SecondHandling.objects.for_user(user)
        .filter(estate=estate, done_at__isnull=True)
        .select_related("repair", "complaint", "area_admin", "department_head")
    )
