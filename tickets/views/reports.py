"""Managers' screens: the monthly complaint summary (page, XLSX, CSV, filing) and the repeat
lists (docs/domain.md, Complaints)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.roles import COMPLAINT_REVIEWERS, has_role
from propserv.web import attempt, current_estate
from tickets.models import Complaint, MonthlyComplaintReport
from tickets.reports import exports, filing, summary
from tickets.selectors.complaints import repeat_complaints
from tickets.selectors.repairs import repeat_repairs


def _reviewer_estate(request):
    if not has_role(request.user, COMPLAINT_REVIEWERS):
        raise PermissionDenied
    estate = current_estate(request)
    if estate is None:
        raise PermissionDenied
    return estate


@login_required
def complaint_report(request):
    """This month's summary (live until filed, then as filed), with XLSX and CSV downloads."""
    estate = _reviewer_estate(request)
    now = timezone.now()
    # Without a month: the period that holds today, so today's complaints are in it.
    month = summary.parse_month(
        request.GET.get("month") or request.POST.get("month"),
        summary.month_containing(timezone.localdate(), estate.service_settings.monthly_report_day),
    )
    here = f"{reverse('tickets:complaint-report')}?estate={estate.code}&month={month:%Y-%m}"
    if request.method == "POST":
        ok, result = attempt(
            request, filing.file_report, estate, month, actor=request.user, now=now
        )
        if ok:
            _report, created = result
            text = (
                _("The summary for %(month)s is filed.")
                if created
                else _("The summary for %(month)s was already filed.")
            )
            messages.success(request, text % {"month": month.strftime("%Y-%m")})
        return HttpResponseRedirect(here)
    filed = MonthlyComplaintReport.objects.filter(estate=estate, month=month).first()
    live = request.GET.get("live") == "1" or filed is None
    data = summary.build_summary(estate, month, now) if live else filed.data
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv"):
        return exports.export_response(
            data, fmt=fmt, filename=f"complaints-{estate.code}-{month:%Y-%m}"
        )
    labels = dict(Complaint.Category.choices)
    return render(
        request,
        "tickets/complaints/report.html",
        {
            "estate": estate,
            "data": data,
            "month": month,
            "filed": filed,
            "can_file": now
            >= summary.report_period(month, estate.service_settings.monthly_report_day)[1],
            "live": live,
            "title": summary.title(data),
            "period": summary.period_label(data),
            "indicators": summary.indicator_rows(data),
            "grade_headings": summary.grade_headings(),
            "matrix": summary.matrix_rows(data),
            "repeat_complaints": [
                {**r, "category_label": labels[r["category"]]} for r in data["repeat_complaints"]
            ],
            "previous": summary.previous_month(month),
            "next": (month + dt.timedelta(days=32)).replace(day=1),
        },
    )


@login_required
def repeats(request):
    """Repeat complaints and repeat repairs within the rolling window, for managers."""
    estate = _reviewer_estate(request)
    now = timezone.now()
    settings_row = estate.service_settings
    start = now - dt.timedelta(days=settings_row.repeat_window_days)
    labels = dict(Complaint.Category.choices)
    return render(
        request,
        "tickets/complaints/repeats.html",
        {
            "estate": estate,
            "settings_row": settings_row,
            "complaints": [
                {**r, "category_label": labels[r["category"]]}
                for r in repeat_complaints(estate, start, now)
            ],
            "repairs": [
                {**r, "links": list(zip(r["ids"], r["numbers"], strict=True))}
                for r in repeat_repairs(estate, start, now, settings_row.repeat_repair_count)
            ],
        },
    )
