"""Filing the monthly complaint summary: once per estate and month, by beat or by a manager
(a write; docs/domain.md, Complaints)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from propserv.access import check_actor, staff_of, staff_or_none
from propserv.models import Estate
from propserv.notifications import notify
from propserv.roles import COMPLAINT_REVIEWERS, Role
from tickets.models import MonthlyComplaintReport
from tickets.reports.summary import build_summary, month_start, period_label, report_period, title


def file_report(
    estate: Estate, month: dt.date, *, actor=None, now: dt.datetime | None = None
) -> tuple[MonthlyComplaintReport, bool]:
    """File the summary once per estate and month; (report, created). A period that has not
    ended yet cannot be filed (ValidationError). `actor` None: the beat."""
    if actor is not None:
        check_actor(actor, estate=estate, roles=COMPLAINT_REVIEWERS)
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
        with translation.override(settings.LANGUAGE_CODE):  # the office's language
            _report, created = file_report(estate, month_start(today), now=now)
        filed += created
    return filed
