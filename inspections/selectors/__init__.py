"""Composite reads of renovations: lists, the gate check, passes to take back, the unit panel
(docs/architecture.md, "The rooms of every app"). Every read goes through `for_user`: another
estate's record does not exist for the reader."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from inspections import rules
from inspections.models import (
    Patrol,
    Rectification,
    Renovation,
    RenovationComplaint,
    UnitHandover,
    WorkerPass,
)
from inspections.services.passes import FINISHED, pass_state
from inspections.services.patrols import day_slots, needs_patrol
from propserv.access import may
from propserv.roles import RENOVATION_VIEWERS, has_role


def visible(queryset, user):
    """`queryset`'s rows of the reader's estates; none for a role that does not follow
    renovations. Every read of renovation records goes through here."""
    if not has_role(user, RENOVATION_VIEWERS):
        return queryset.none()
    return queryset.for_user(user)


def visible_renovations(user):
    """The renovations of the reader's estates (none for a role that does not follow them)."""
    return visible(Renovation.objects.all(), user).select_related(
        "estate", "unit", "owner", "contractor", "responsible"
    )


def visible_passes(user):
    return visible(WorkerPass.objects.all(), user).select_related(
        "renovation", "renovation__unit", "renovation__estate"
    )


def renovation_list(user, estate, *, status: str = ""):
    qs = visible_renovations(user).filter(estate=estate)
    if status:
        qs = qs.filter(status=status)
    return qs


def gate_check(user, number: str, now: dt.datetime) -> tuple[str, WorkerPass | None]:
    """(state, pass) for a scanned or typed pass number: one of rules' states, or "unknown"
    for a number that is not a pass of the reader's estates."""
    number = (number or "").strip().upper()
    worker_pass = visible_passes(user).filter(number=number).first() if number else None
    if worker_pass is None:
        return "unknown", None
    return pass_state(worker_pass, now), worker_pass


def passes_to_take_back(user, estate, now: dt.datetime) -> list[tuple[WorkerPass, str]]:
    """Expired or revoked passes not yet taken back at the gate, oldest expiry first."""
    today = timezone.localtime(now).date()
    qs = (
        visible_passes(user)
        .filter(renovation__estate=estate, confiscated_at__isnull=True)
        .order_by("valid_until", "number")
    )
    found = []
    # A finished renovation's passes are expired at the gate whatever their printed date.
    due = (
        qs.filter(valid_until__lt=today)
        | qs.filter(revoked_at__isnull=False)
        | qs.filter(renovation__status__in=FINISHED)
    )
    for worker_pass in due:
        state = pass_state(worker_pass, now)
        if state in (rules.EXPIRED, rules.REVOKED):
            found.append((worker_pass, state))
    return found


def unit_panel(request, unit) -> dict | None:
    """The unit's renovation on the shared unit page (Panel "unit")."""
    user = getattr(request, "user", None)
    if unit is None or not may(user, unit.estate_id, RENOVATION_VIEWERS):
        return None
    renovation = (
        Renovation.objects.filter(unit=unit)
        .prefetch_related("rectifications")
        .exclude(status__in=[Renovation.Status.REJECTED, Renovation.Status.COMPLETED])
        .first()
    )
    if renovation is None:
        return None
    return {"renovation": renovation}


def patrol_board(user, estate, now: dt.datetime) -> list[dict]:
    """The supervisor's view: every active renovation with today's patrol slots (done / due /
    missed / upcoming)."""
    today = timezone.localtime(now).date()
    renovations = list(
        visible_renovations(user).filter(estate=estate).active().order_by("unit__code")
    )
    patrols = Patrol.objects.filter(renovation__in=renovations, day=today).select_related("done_by")
    recorded = {(p.renovation_id, p.slot): p for p in patrols}
    slots = day_slots(estate, today)
    rows = []
    for r in renovations:
        due = slots if needs_patrol(r, today) else []
        # A slot the daily task has not opened yet is shown all the same, from the rules.
        shown = [
            recorded.get((r.pk, s.code))
            or Patrol(renovation=r, day=today, slot=s.code, window_start=s.start, window_end=s.end)
            for s in due
        ]
        rows.append({"renovation": r, "slots": [(p, p.state(now)) for p in shown]})
    return rows


def notices_past_due(user, estate, now: dt.datetime):
    """Open rectification notices whose deadline has passed: the supervisor's other list."""
    return (
        visible(Rectification.objects.all(), user)
        .open()
        .filter(renovation__estate=estate, due_at__lt=now)
        .select_related("renovation", "renovation__unit")
        .order_by("due_at")
    )


def complaint_panel(request, complaint) -> dict | None:
    """The renovations a complaint is linked to (Panel "complaint")."""
    user = getattr(request, "user", None)
    if complaint is None or not may(user, complaint.estate_id, RENOVATION_VIEWERS):
        return None
    links = list(
        RenovationComplaint.objects.filter(complaint=complaint).select_related(
            "renovation", "renovation__unit"
        )
    )
    return {"links": links} if links else None


def key_issue_panel(request, unit) -> dict | None:
    """The hand-over line on the key cabinet's move-in page (Panel "key-issue")."""
    handover = UnitHandover.objects.filter(unit=unit).select_related("owner").first()
    return {"handover": handover} if handover is not None else None
