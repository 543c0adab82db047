"""The monthly complaint summary (投诉情况月汇总表): its period and its figures (a read).

The report "for" a month is due by the estate's report day (the 25th by default) and covers the
complaints received from that day of the previous month up to (not including) that day of the
month: for November 2026 with day 25, 2026-10-25 00:00 to 2026-11-25 00:00. The figures are a
pure function of the database at a moment; filing freezes them (`tickets.reports.filing`); the
downloads are `tickets.reports.exports` (docs/domain.md, Complaints).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.models import Deadline, Estate, Unit
from tickets.models import Callback, Complaint
from tickets.rules import complaints as crules
from tickets.rules import repairs as repair_rules
from tickets.selectors.complaints import repeat_complaints
from tickets.selectors.repairs import repeat_repairs

GRADES = ["major", "important", "minor", "invalid", ""]


# --- the period -----------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def report_period(month: dt.date, report_day: int) -> tuple[dt.datetime, dt.datetime]:
    """[report day of the previous month, report day of `month`) in local time."""
    tz = timezone.get_current_timezone()
    start = previous_month(month).replace(day=report_day)
    end = month.replace(day=report_day)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def month_containing(day: dt.date, report_day: int) -> dt.date:
    """The report month whose period holds `day`: from the report day on, the next month's."""
    if day.day >= report_day:
        return (month_start(day) + dt.timedelta(days=32)).replace(day=1)
    return month_start(day)


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """'2026-11' -> 2026-11-01; anything else: the current month."""
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return month_start(today)


# --- the figures ----------------------------------------------------------------------------------


def _clock(deadlines, now: dt.datetime) -> dict:
    """on_time / late / overdue (open and past due) / pending (open, not yet due). A clock that
    was breached and later cancelled (the complaint regraded or closed) counts as late."""
    counts = {"on_time": 0, "late": 0, "overdue": 0, "pending": 0}
    for d in deadlines:
        if d.cancelled_at is not None:
            counts["late"] += 1  # only breached cancelled rows are selected
        elif d.met_at is not None:
            counts["on_time" if d.met_at <= d.due_at else "late"] += 1
        elif d.due_at <= now:
            counts["overdue"] += 1
        else:
            counts["pending"] += 1
    counts["decided"] = counts["on_time"] + counts["late"] + counts["overdue"]
    return counts


def _deadlines(kind: str, **filters):
    """The clocks of `kind`: the live ones and the cancelled ones that had been breached."""
    return Deadline.objects.filter(
        Q(cancelled_at__isnull=True) | Q(breached_at__isnull=False), kind=kind, **filters
    )


def build_summary(estate: Estate, month: dt.date, now: dt.datetime | None = None) -> dict:
    """The monthly summary of one estate as plain JSON data (codes, counts, ISO times)."""
    now = now or timezone.now()
    settings_row = estate.service_settings
    start, end = report_period(month, settings_row.monthly_report_day)
    complaints = Complaint.objects.filter(
        estate=estate, received_at__gte=start, received_at__lt=end
    )
    matrix = {
        row["category"]: row
        for row in complaints.values("category").annotate(
            **{(g or "ungraded"): Count("id", filter=Q(grade=g)) for g in GRADES},
            total=Count("id"),
        )
    }
    by_category = []
    for code in Complaint.Category.values:
        row = matrix.get(code, {})
        by_category.append(
            {"category": code, **{(g or "ungraded"): row.get(g or "ungraded", 0) for g in GRADES}}
            | {"total": row.get("total", 0)}
        )
    totals = {(g or "ungraded"): sum(r[g or "ungraded"] for r in by_category) for g in GRADES}
    totals["total"] = sum(r["total"] for r in by_category)
    effective = totals["major"] + totals["important"] + totals["minor"]
    households = Unit.objects.filter(estate=estate, status=Unit.Status.OCCUPIED).count()
    ids = list(complaints.values_list("pk", flat=True))
    callbacks_done = Callback.objects.filter(
        estate=estate,
        status=Callback.Status.DONE,
        completed_at__gte=start,
        completed_at__lt=end,
    )
    satisfaction = {}
    for kind, flt in (
        ("complaint", Q(complaint__isnull=False)),
        ("repair", Q(repair__isnull=False)),
    ):
        scores = list(callbacks_done.filter(flt).values_list("satisfaction", flat=True))
        satisfaction[kind] = {
            "answered": len(scores),
            "satisfied": sum(1 for s in scores if crules.is_satisfied(s)),
        }
    satisfaction["all"] = {
        k: satisfaction["complaint"][k] + satisfaction["repair"][k]
        for k in ("answered", "satisfied")
    }
    return {
        "estate": estate.code,
        "estate_name": estate.name,
        "month": month.strftime("%Y-%m"),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "as_of": now.isoformat(),
        "households": households,
        "received": totals["total"],
        "effective": effective,
        "effective_target_permille": settings_row.effective_complaint_target_permille,
        "satisfaction_target_percent": settings_row.satisfaction_target_percent,
        "reply_working_days": settings_row.complaint_reply_working_days,
        "by_category": by_category,
        "totals": totals,
        "reply": _clock(_deadlines(crules.REPLY, complaint__in=ids), now),
        "handling": _clock(_deadlines(crules.HANDLE, complaint__in=ids), now),
        "complaint_callbacks": _clock(
            _deadlines(crules.CALLBACK, estate=estate, due_at__gte=start, due_at__lt=end), now
        ),
        "repair_callbacks": _clock(
            _deadlines(repair_rules.CALLBACK, estate=estate, due_at__gte=start, due_at__lt=end),
            now,
        ),
        "satisfaction": satisfaction,
        "repeat_complaints": repeat_complaints(estate, start, end),
        "repeat_repairs": repeat_repairs(estate, start, end, settings_row.repeat_repair_count),
    }


# --- presentation (page and downloads share it) ---------------------------------------------------


def pct(numerator: int, denominator: int, places: str = "0.1") -> str:
    if not denominator:
        return "—"
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )
    return f"{value}%"


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, shown as a percentage with `places` ("50.0%"); no denominator: —."""

    numerator: int
    denominator: int
    places: str = "0.1"

    def __str__(self) -> str:
        return pct(self.numerator, self.denominator, self.places)

    @property
    def fraction(self) -> float | None:
        """The rate as a spreadsheet number (0.5 for 50%), rounded as shown; None without data."""
        if not self.denominator:
            return None
        shown = (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(
            Decimal(self.places), rounding=ROUND_HALF_UP
        )
        return float(shown / 100)

    @property
    def number_format(self) -> str:
        return "0." + "0" * (len(self.places) - 2) + "%"

    def spreadsheet_cell(self) -> tuple[float | str, str | None, str]:
        """For propserv.exports: a fraction with a percent format, or "—" without data."""
        fraction = self.fraction
        if fraction is None:
            return str(self), None, str(self)
        return fraction, self.number_format, str(self)


def grade_headings() -> list[str]:
    return [
        str(Complaint.Grade.MAJOR.label),
        str(Complaint.Grade.IMPORTANT.label),
        str(Complaint.Grade.MINOR.label),
        str(Complaint.Grade.INVALID.label),
        _("Not graded"),
    ]


def matrix_rows(data: dict) -> list[list]:
    """[category, major, important, minor, invalid, not graded, total] in the current language."""
    labels = dict(Complaint.Category.choices)
    rows = []
    for row in [*data["by_category"], {"category": None, **data["totals"]}]:
        label = str(labels[row["category"]]) if row["category"] else _("Total")
        rows.append([label, *(row[g or "ungraded"] for g in GRADES), row["total"]])
    return rows


def indicator_values(data: dict) -> list[tuple[str, Any, str]]:
    """(indicator, value, detail) in the current language; a value is a count (int) or a
    `Rate` (downloads keep both as numbers; the page shows `indicator_rows`)."""

    def clock(c: dict) -> str:
        return (
            _("%(on_time)s on time, %(late)s late, %(overdue)s overdue, %(pending)s not yet due")
            % c
        )

    target = Decimal(data["effective_target_permille"]) / 10
    sat = data["satisfaction"]
    return [
        (_("Complaints received"), data["received"], ""),
        (_("Effective complaints"), data["effective"], ""),
        (
            _("Effective-complaint rate (of households)"),
            Rate(data["effective"], data["households"], "0.01"),
            _("%(households)s households; target below %(target)s%%")
            % {"households": data["households"], "target": target.normalize()},
        ),
        (
            _("Replied within %(days)s working days") % {"days": data["reply_working_days"]},
            Rate(data["reply"]["on_time"], data["reply"]["decided"]),
            clock(data["reply"]),
        ),
        (
            _("Handled within deadline"),
            Rate(data["handling"]["on_time"], data["handling"]["decided"]),
            clock(data["handling"]),
        ),
        (
            _("Complaint callback rate"),
            Rate(data["complaint_callbacks"]["on_time"], data["complaint_callbacks"]["decided"]),
            clock(data["complaint_callbacks"]),
        ),
        (
            _("Repair callback rate"),
            Rate(data["repair_callbacks"]["on_time"], data["repair_callbacks"]["decided"]),
            clock(data["repair_callbacks"]),
        ),
        (
            _("Satisfaction rate"),
            Rate(sat["all"]["satisfied"], sat["all"]["answered"]),
            _("%(satisfied)s of %(answered)s callbacks satisfied (3–5); target %(target)s%%")
            % {**sat["all"], "target": data["satisfaction_target_percent"]},
        ),
        (
            _("Satisfaction rate: complaints"),
            Rate(sat["complaint"]["satisfied"], sat["complaint"]["answered"]),
            "",
        ),
        (
            _("Satisfaction rate: repairs"),
            Rate(sat["repair"]["satisfied"], sat["repair"]["answered"]),
            "",
        ),
    ]


def indicator_rows(data: dict) -> list[tuple[str, str, str]]:
    """(indicator, value, detail) in the current language, as the page shows them."""
    return [(label, str(value), detail) for label, value, detail in indicator_values(data)]


def title(data: dict) -> str:
    return _("Monthly complaint summary %(month)s – %(estate)s") % {
        "month": data["month"],
        "estate": data["estate_name"],
    }


def period_label(data: dict) -> str:
    start = dt.datetime.fromisoformat(data["period_start"])
    end = dt.datetime.fromisoformat(data["period_end"]) - dt.timedelta(days=1)
    return _("Complaints received %(start)s to %(end)s") % {
        "start": start.date().isoformat(),
        "end": end.date().isoformat(),
    }
