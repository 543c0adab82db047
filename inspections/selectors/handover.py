"""Composite reads of the hand-over flow (docs/domain.md, "Hand-over and move-in"): problem
lists per unit and building, the inspection summary, the move-in board, the day's appointments,
the move-in summary and the unit's story for the shared unit page. Every read goes through
`visible`: another estate's record does not exist for the reader."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.models import (
    InspectionRound,
    Milestone,
    MoveInAppointment,
    MoveInBatch,
    MoveInPlan,
    Problem,
    UnitHandover,
)
from propserv.access import may
from propserv.models import Deadline
from propserv.registry import registry
from propserv.roles import HANDOVER_VIEWERS, has_role

# Higher apps add rows to a unit's problem list here (visits: after-sales defects). Each handler
# takes the unit and returns a list of `ProblemRow`-shaped dicts.
UNIT_PROBLEMS = "unit.problems"
S = MoveInAppointment.Status
# Labels of the sources the apps above name by code.
SOURCE_LABELS = {"after_sales": gettext_lazy("After-sales rework")}


def visible(queryset, user):
    if not has_role(user, HANDOVER_VIEWERS):
        return queryset.none()
    return queryset.for_user(user)


@dataclass(frozen=True)
class ProblemRow:
    """One line of a unit's problem list, whatever its source."""

    number: str
    source: str
    location: str
    kind: str
    severity: str
    status: str
    is_open: bool
    found_at: Any
    url: str = ""
    blocking: bool = False


def _row(p: Problem) -> ProblemRow:
    return ProblemRow(
        number=p.number,
        source=p.get_source_display(),
        location=p.location,
        kind=p.defect_type.name,
        severity=p.get_severity_display(),
        status=p.get_status_display(),
        is_open=p.is_open,
        found_at=p.created_at,
        url=reverse("inspections:problem", args=[p.pk]),
        blocking=p.severity == Problem.Severity.BLOCKING,
    )


def problems_of(queryset):
    return queryset.select_related("unit", "defect_type", "round", "unit__building").order_by(
        "unit__code", "created_at", "id"
    )


def unit_problem_rows(unit, *, open_only: bool = False) -> list[ProblemRow]:
    """Everything on the unit's problem list: inspection and move-in problems, then whatever
    the apps above add (after-sales defects)."""
    qs = problems_of(Problem.objects.filter(unit=unit))
    rows = [_row(p) for p in qs]
    for handler in registry.hooks_for(UNIT_PROBLEMS):
        for r in handler(unit):
            rows.append(
                ProblemRow(**{**r, "source": str(SOURCE_LABELS.get(r["source"], r["source"]))})
            )
    return [r for r in rows if r.is_open] if open_only else rows


def building_problems(user, estate, building=None, *, status: str = ""):
    qs = visible(Problem.objects.all(), user).filter(estate=estate)
    if building is not None:
        qs = qs.filter(unit__building=building)
    if status == "open":
        qs = qs.exclude(status=Problem.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    return problems_of(qs)


def rounds(user, estate):
    return (
        visible(InspectionRound.objects.all(), user)
        .filter(estate=estate)
        .select_related("building")
    )


def inspection_summary(user, estate, *, weeks: int = 8, today: dt.date | None = None) -> dict:
    """Counts by defect type and by building (found / closed), and the closure rate at the end
    of each of the last `weeks` weeks (closed ÷ found by then)."""
    today = today or timezone.localdate()
    qs = visible(Problem.objects.all(), user).filter(estate=estate)
    closed = Q(status=Problem.Status.CLOSED)
    by_type = list(
        qs.values("defect_type__name")
        .annotate(found=Count("id"), closed=Count("id", filter=closed))
        .order_by("-found", "defect_type__name")
    )
    by_building = list(
        qs.values("unit__building__code")
        .annotate(found=Count("id"), closed=Count("id", filter=closed))
        .order_by("unit__building__code")
    )
    stamps = list(qs.values_list("created_at", "closed_at"))
    trend = []
    for back in range(weeks - 1, -1, -1):
        end_day = today - dt.timedelta(days=7 * back)
        end = timezone.make_aware(dt.datetime.combine(end_day, dt.time.max))
        found = sum(1 for created, _c in stamps if created <= end)
        done = sum(1 for _f, c in stamps if c is not None and c <= end)
        trend.append({"day": end_day, "found": found, "closed": done, "rate": _rate(done, found)})
    total = len(stamps)
    total_closed = sum(1 for _f, c in stamps if c is not None)
    for row in (*by_type, *by_building):
        row["rate"] = _rate(row["closed"], row["found"])
    return {
        "by_type": by_type,
        "by_building": by_building,
        "trend": trend,
        "total": total,
        "closed": total_closed,
        "rate": _rate(total_closed, total),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- move-in ----------------------------------------------------------------------------------


def plans(user, estate):
    return visible(MoveInPlan.objects.all(), user).filter(estate=estate)


def appointments(user):
    return visible(MoveInAppointment.objects.all(), user).select_related(
        "unit", "owner", "batch", "decided_by"
    )


def day_list(user, estate, day: dt.date):
    return appointments(user).filter(estate=estate, day=day)


def later_arrivals(user, estate):
    return appointments(user).filter(estate=estate, batch__isnull=True).order_by("-day", "-id")


STATUS_ORDER = [S.BOOKED, S.ARRIVED, S.ACCEPTED, S.REFUSED]


def board(batch: MoveInBatch) -> dict:
    """The live progress of a batch: how many booked, arrived, accepted, refused, and every
    unit's line (still to come first)."""
    rows = list(
        MoveInAppointment.objects.filter(batch=batch)
        .select_related("unit", "owner")
        .annotate(
            open_blocking=Count(
                "unit__problems",
                filter=Q(unit__problems__severity=Problem.Severity.BLOCKING)
                & ~Q(unit__problems__status=Problem.Status.CLOSED),
            )
        )
        .order_by("time", "unit__code")
    )
    counts = Counter(r.status for r in rows)
    tallies = [(s, s.label, counts.get(s, 0)) for s in STATUS_ORDER]
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    rows.sort(key=lambda r: (rank[r.status], r.time or dt.time.min, r.unit.code))
    return {"batch": batch, "tallies": tallies, "rows": rows, "total": len(rows)}


def move_in_summary(plan: MoveInPlan) -> dict:
    """Per batch: booked, accepted, refused; the refusals with reasons; acceptances despite a
    blocking problem; problems the owners found, by type; welcome visits done and due."""
    appts = MoveInAppointment.objects.filter(batch__plan=plan).select_related(
        "unit", "owner", "batch"
    )
    batches = []
    for batch in plan.batches.all():
        mine = [a for a in appts if a.batch_id == batch.pk]
        c = Counter(a.status for a in mine)
        batches.append(
            {
                "batch": batch,
                "total": len(mine),
                **{s.value: c.get(s, 0) for s in STATUS_ORDER},
            }
        )
    accepted = [a for a in appts if a.status == S.ACCEPTED]
    found = (
        Problem.objects.filter(appointment__batch__plan=plan)
        .values("defect_type__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return {
        "plan": plan,
        "batches": batches,
        "refused": [a for a in appts if a.status == S.REFUSED],
        "overrides": [a for a in accepted if a.override_reason],
        "found": list(found),
        "visited": sum(1 for a in accepted if a.welcome_visited_at),
        "accepted": len(accepted),
    }


def milestones(user, estate):
    return (
        visible(Milestone.objects.all(), user)
        .filter(estate=estate)
        .select_related("owner", "done_by")
    )


def deadline_of(subject, kind: str) -> Deadline | None:
    return Deadline.objects.for_subject(subject).filter(kind=kind).order_by("-pk").first()


def unit_story(request, unit) -> dict | None:
    """The unit's hand-over story on the shared unit page (Panel "unit"): its problem list
    (everything open, whatever the source), its move-in appointments and the hand-over."""
    user = getattr(request, "user", None)
    if unit is None or not may(user, unit.estate_id, HANDOVER_VIEWERS):
        return None
    rows = unit_problem_rows(unit)
    appts = list(
        MoveInAppointment.objects.filter(unit=unit)
        .select_related("owner", "batch", "decided_by")
        .order_by("day", "id")
    )
    handover = UnitHandover.objects.filter(unit=unit).select_related("owner").first()
    if not rows and not appts and handover is None:
        return None
    return {
        "unit": unit,
        "open_rows": [r for r in rows if r.is_open],
        "closed_count": sum(1 for r in rows if not r.is_open),
        "appointments": appts,
        "handover": handover,
        "title": _("Hand-over"),
    }
