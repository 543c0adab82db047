"""The monthly complaint summary (投诉情况月汇总表) and the repeat lists managers review.

The report "for" a month is due by the estate's report day (the 25th by default) and covers the
complaints received from that day of the previous month up to (not including) that day of the
month: for November 2026 with day 25, 2026-10-25 00:00 to 2026-11-25 00:00. The figures are a
pure function of the database at a moment; filing freezes them (one filed report per estate and
month, whatever the number of beats). Downloads: XLSX (openpyxl) and CSV, with Chinese headings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from propserv.access import staff_of, staff_or_none
from propserv.models import Deadline, Estate, Unit
from propserv.notifications import notify
from propserv.roles import Role
from tickets import complaint_rules as crules
from tickets import rules as repair_rules
from tickets.models import Callback, Complaint, MonthlyComplaintReport, Repair

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


def indicator_rows(data: dict) -> list[tuple[str, str, str]]:
    """(indicator, value, detail) in the current language."""

    def clock(c: dict) -> str:
        return (
            _("%(on_time)s on time, %(late)s late, %(overdue)s overdue, %(pending)s not yet due")
            % c
        )

    target = Decimal(data["effective_target_permille"]) / 10
    sat = data["satisfaction"]
    return [
        (_("Complaints received"), str(data["received"]), ""),
        (_("Effective complaints"), str(data["effective"]), ""),
        (
            _("Effective-complaint rate (of households)"),
            pct(data["effective"], data["households"], "0.01"),
            _("%(households)s households; target below %(target)s%%")
            % {"households": data["households"], "target": target.normalize()},
        ),
        (
            _("Replied within %(days)s working days") % {"days": data["reply_working_days"]},
            pct(data["reply"]["on_time"], data["reply"]["decided"]),
            clock(data["reply"]),
        ),
        (
            _("Handled within deadline"),
            pct(data["handling"]["on_time"], data["handling"]["decided"]),
            clock(data["handling"]),
        ),
        (
            _("Complaint callback rate"),
            pct(data["complaint_callbacks"]["on_time"], data["complaint_callbacks"]["decided"]),
            clock(data["complaint_callbacks"]),
        ),
        (
            _("Repair callback rate"),
            pct(data["repair_callbacks"]["on_time"], data["repair_callbacks"]["decided"]),
            clock(data["repair_callbacks"]),
        ),
        (
            _("Satisfaction rate"),
            pct(sat["all"]["satisfied"], sat["all"]["answered"]),
            _("%(satisfied)s of %(answered)s callbacks satisfied (3–5); target %(target)s%%")
            % {**sat["all"], "target": data["satisfaction_target_percent"]},
        ),
        (
            _("Satisfaction rate: complaints"),
            pct(sat["complaint"]["satisfied"], sat["complaint"]["answered"]),
            "",
        ),
        (
            _("Satisfaction rate: repairs"),
            pct(sat["repair"]["satisfied"], sat["repair"]["answered"]),
            "",
        ),
    ]


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


def _sections(data: dict) -> list[tuple[str, list[list]]]:
    """The report as titled tables (first row of each: the headings)."""
    labels = dict(Complaint.Category.choices)
    return [
        (
            pgettext("monthly report sheet", "Summary"),
            [[_("Indicator"), _("Value"), _("Detail")], *map(list, indicator_rows(data))],
        ),
        (
            _("By category and grade"),
            [[_("Complaint category"), *grade_headings(), _("Total")], *matrix_rows(data)],
        ),
        (
            _("Repeat complaints"),
            [
                [
                    _("Complaint"),
                    _("Same matter as"),
                    _("Times"),
                    _("Category"),
                    _("Complainant"),
                    _("What happened"),
                ],
                *[
                    [
                        r["number"],
                        r["first"],
                        r["count"],
                        str(labels[r["category"]]),
                        r["who"],
                        r["summary"],
                    ]
                    for r in data["repeat_complaints"]
                ],
            ],
        ),
        (
            _("Repeat repairs"),
            [
                [_("Unit"), _("Repair category"), _("Times"), _("Repairs")],
                *[
                    [r["unit"], r["category"], r["count"], " ".join(r["numbers"])]
                    for r in data["repeat_repairs"]
                ],
            ],
        ),
    ]


EXPORT_LANGUAGE = "zh-hans"  # the summary goes to the project manager in Chinese


def to_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(EXPORT_LANGUAGE):
        workbook = Workbook()
        sheet = workbook.active
        for index, (name, rows) in enumerate(_sections(data)):
            if index:
                sheet = workbook.create_sheet()
            sheet.title = name[:31]
            sheet.append([title(data)])
            sheet.append([period_label(data)])
            sheet["A1"].font = Font(bold=True, size=14)
            sheet.append([])
            for i, row in enumerate(rows):
                sheet.append(row)
                if i == 0:
                    for cell in sheet[sheet.max_row]:
                        cell.font = Font(bold=True)
            sheet.column_dimensions["A"].width = 34
            for col in "BCDEFG":
                sheet.column_dimensions[col].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(data: dict) -> str:
    """One CSV with the sections one after another; a BOM so that Excel reads the Chinese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    with translation.override(EXPORT_LANGUAGE):
        writer.writerow([title(data)])
        writer.writerow([period_label(data)])
        for name, rows in _sections(data):
            writer.writerow([])
            writer.writerow([name])
            writer.writerows(rows)
    return out.getvalue()


# --- filing -----------------------------------------------------------------------------------------


def file_report(
    estate: Estate, month: dt.date, *, actor=None, now: dt.datetime | None = None
) -> tuple[MonthlyComplaintReport, bool]:
    """File the summary once per estate and month; (report, created). A period that has not
    ended yet cannot be filed (ValidationError)."""
    now = now or timezone.now()
    existing = MonthlyComplaintReport.objects.filter(estate=estate, month=month).first()
    if existing:
        return existing, False
    _start, end = report_period(month, estate.service_settings.monthly_report_day)
    if now < end:
        raise ValidationError(
            _("The period of %(month)s ends on %(end)s; the summary can be filed after that.")
            % {
                "month": month.strftime("%Y-%m"),
                "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
            }
        )
    data = build_summary(estate, month, now)
    try:
        with transaction.atomic():
            report = MonthlyComplaintReport.objects.create(
                estate=estate,
                month=month,
                period_start=dt.datetime.fromisoformat(data["period_start"]),
                period_end=dt.datetime.fromisoformat(data["period_end"]),
                data=data,
                filed_at=now,
                filed_by=staff_or_none(actor),
            )
            from django.urls import reverse

            notify(
                staff_of(estate, Role.PROJECT_MANAGER, Role.SUPERVISOR),
                title=title(data),
                body=period_label(data),
                url=f"{reverse('tickets:complaint-report')}?estate={estate.code}&month={data['month']}",
                estate=estate,
                dedupe_key=f"complaint-report:{estate.pk}:{data['month']}",
            )
    except IntegrityError:  # filed by another worker at the same moment
        return MonthlyComplaintReport.objects.get(estate=estate, month=month), False
    return report, True


def file_due_reports(now: dt.datetime | None = None) -> int:
    """Run by beat: every estate whose report day of this month has come gets its summary filed
    (once). Returns the number filed now."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    filed = 0
    for estate in Estate.objects.all():
        if today.day < estate.service_settings.monthly_report_day:
            continue
        with translation.override(EXPORT_LANGUAGE):
            _report, created = file_report(estate, month_start(today), now=now)
        filed += created
    return filed
