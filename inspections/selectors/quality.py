"""Reads of the quality pages (docs/domain.md, "Quality checks"): the month's overview, the
monthly findings by specialty (月检通报, printed and exported) and the per-person summary that
feeds staff appraisal. Aggregates run in the database, a fixed number of statements each."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q

from inspections.models import (
    CheckKind,
    Defect,
    DefectFix,
    NonConformity,
    QualityCheck,
    QualityTemplate,
    WeatherWarning,
)
from inspections.services.quality_night import month_bounds, night_month
from propserv.models import Department


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """The first day of the month "YYYY-MM" (this month when missing or malformed)."""
    try:
        year, month = (int(p) for p in (text or "").split("-", 1))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def overview(estate, month: dt.date) -> dict:
    """The quality home page of `estate` for `month`."""
    _first, start, end = month_bounds(month)
    checks = QualityCheck.objects.filter(estate=estate, checked_at__gte=start, checked_at__lt=end)
    by_kind = dict(checks.values_list("kind").annotate(n=Count("id")).order_by())
    return {
        "month": month,
        "night": night_month(estate, month),
        "checks_by_kind": [(label, by_kind.get(value, 0)) for value, label in CheckKind.choices],
        "recent_checks": checks.select_related("checked_by")[:20],
        "templates": QualityTemplate.objects.filter(estate=estate, active=True),
        "warnings": WeatherWarning.objects.filter(
            estate=estate, starts_at__gte=start, starts_at__lt=end
        ),
        "open_nonconformities": NonConformity.objects.filter(estate=estate)
        .open()
        .select_related("responsible")[:50],
        "open_defects": Defect.objects.filter(estate=estate)
        .open()
        .select_related("responsible")
        .order_by("due_at")[:50],
    }


def findings_by_specialty(estate, month: dt.date) -> list[dict]:
    """Per specialty: the month's non-conformities (logged, exempt, failures of duty) and the
    defects of its scored checks (found, verified, transferred, still open)."""
    _first, start, end = month_bounds(month)
    ncs = dict.fromkeys(Department.values)
    for row in (
        NonConformity.objects.filter(estate=estate, found_at__gte=start, found_at__lt=end)
        .values("specialty")
        .annotate(
            logged=Count("id", filter=Q(exempt=False)),
            exempt=Count("id", filter=Q(exempt=True)),
            duty=Count("id", filter=~Q(duty_failure="")),
        )
        .order_by()
    ):
        ncs[row["specialty"]] = row
    defects = dict.fromkeys(Department.values)
    for row in (
        Defect.objects.filter(estate=estate, found_at__gte=start, found_at__lt=end)
        .values("specialty")
        .annotate(
            found=Count("id"),
            verified=Count("id", filter=Q(status=Defect.Status.VERIFIED)),
            transferred=Count("id", filter=Q(transfer__isnull=False)),
            still_open=Count("id", filter=~Q(status=Defect.Status.VERIFIED)),
        )
        .order_by()
    ):
        defects[row["specialty"]] = row
    rows = []
    for value, label in Department.choices:
        n, d = ncs[value] or {}, defects[value] or {}
        row = {
            "specialty": label,
            "logged": n.get("logged", 0),
            "exempt": n.get("exempt", 0),
            "duty": n.get("duty", 0),
            "found": d.get("found", 0),
            "verified": d.get("verified", 0),
            "transferred": d.get("transferred", 0),
            "open": d.get("still_open", 0),
        }
        if any(v for k, v in row.items() if k != "specialty"):
            rows.append(row)
    return rows


def month_defects(estate, month: dt.date):
    _first, start, end = month_bounds(month)
    return (
        Defect.objects.filter(estate=estate, found_at__gte=start, found_at__lt=end)
        .select_related("responsible", "transfer")
        .prefetch_related("fixes")
        .order_by("specialty", "found_at", "pk")
    )


def staff_summary(estate, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Per staff member of the period: checks done, the
    non-conformities they were responsible for (logged, exempt, failures of duty) and their
    defects (found, fixed by the deadline, still open) — the appraisal's quality figures."""
    people: dict[int, dict] = {}

    def row(pk):
        return people.setdefault(
            pk,
            {
                "checks": 0,
                "logged": 0,
                "exempt": 0,
                "duty": 0,
                "defects": 0,
                "on_time": 0,
                "open": 0,
            },
        )

    checks = (
        QualityCheck.objects.filter(estate=estate, checked_at__gte=start, checked_at__lt=end)
        .values("checked_by")
        .annotate(n=Count("id"))
        .order_by()
    )
    for c in checks:
        row(c["checked_by"])["checks"] = c["n"]
    ncs = (
        NonConformity.objects.filter(
            estate=estate, found_at__gte=start, found_at__lt=end, responsible__isnull=False
        )
        .values("responsible")
        .annotate(
            logged=Count("id", filter=Q(exempt=False)),
            exempt=Count("id", filter=Q(exempt=True)),
            duty=Count("id", filter=~Q(duty_failure="")),
        )
        .order_by()
    )
    for n in ncs:
        r = row(n["responsible"])
        r["logged"], r["exempt"], r["duty"] = n["logged"], n["exempt"], n["duty"]
    fixed_in_time = DefectFix.objects.filter(defect=OuterRef("pk"), at__lte=OuterRef("due_at"))
    defects = (
        Defect.objects.filter(
            estate=estate, found_at__gte=start, found_at__lt=end, responsible__isnull=False
        )
        .values("responsible")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(Exists(fixed_in_time))),
            still_open=Count("id", filter=~Q(status=Defect.Status.VERIFIED)),
        )
        .order_by()
    )
    for d in defects:
        r = row(d["responsible"])
        r["defects"], r["on_time"], r["open"] = d["n"], d["on_time"], d["still_open"]
    users = get_user_model().objects.in_bulk(list(people))
    out = []
    for pk, figures in people.items():
        user = users.get(pk)
        if user is None:
            continue
        out.append({"name": user.get_full_name() or user.get_username(), **figures})
    return sorted(out, key=lambda r: r["name"])
