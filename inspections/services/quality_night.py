"""Weather warnings and each month's night spot checks (docs/domain.md, "Quality checks"): at
least `night_checks_per_month` a month, and one while every typhoon or rainstorm warning lasts.
The month's clock (inspections.sla, NIGHT_CHECKS_DUE) is opened by the beat task at the start of
the month and met once the month has its checks; a month that ends short is flagged once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import CheckKind, NightCheckMonth, QualityCheck, WeatherWarning
from inspections.services.common import now_or
from inspections.sla import NIGHT_CHECKS_DUE
from propserv.access import check_actor
from propserv.deadlines import deadline_meet, deadline_open
from propserv.models import Deadline
from propserv.roles import WEATHER_RECORDERS


@transaction.atomic
def weather_warning_record(
    *, estate, kind: str, level: str = "", starts_at, ends_at=None, actor, at=None
) -> WeatherWarning:
    """Log a typhoon or rainstorm warning: a night spot check is due while it lasts."""
    check_actor(actor, estate=estate, roles=WEATHER_RECORDERS)
    at = now_or(at)
    if kind not in WeatherWarning.Kind.values:
        raise ValidationError({"kind": _("Choose typhoon or rainstorm.")})
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The warning must end after it starts.")})
    warning = WeatherWarning.objects.create(
        estate=estate,
        kind=kind,
        level=(level or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        recorded_at=at,
        recorded_by=actor,
    )
    night_month_settle(estate, timezone.localtime(starts_at).date(), now=at)
    return warning


def month_bounds(day: dt.date) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """(first day, start, end) of the month of `day`, in the current time zone."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        first,
        dt.datetime.combine(first, dt.time(), tzinfo=tz),
        dt.datetime.combine(following, dt.time(), tzinfo=tz),
    )


@dataclass(frozen=True)
class NightMonth:
    month: dt.date
    done: int
    required: int
    warnings: int
    unchecked_warnings: int

    @property
    def short(self) -> bool:
        return self.done < self.required or self.unchecked_warnings > 0


def night_month(estate, day: dt.date) -> NightMonth:
    first, start, end = month_bounds(day)
    done = QualityCheck.objects.filter(
        estate=estate, kind=CheckKind.NIGHT, checked_at__gte=start, checked_at__lt=end
    ).count()
    warnings = list(
        WeatherWarning.objects.filter(estate=estate, starts_at__gte=start, starts_at__lt=end)
    )
    unchecked = 0
    for warning in warnings:
        covered = QualityCheck.objects.filter(
            estate=estate, kind=CheckKind.NIGHT, checked_at__gte=warning.starts_at
        )
        if warning.ends_at is not None:
            covered = covered.filter(checked_at__lte=warning.ends_at)
        unchecked += not covered.exists()
    return NightMonth(
        month=first,
        done=done,
        required=estate.service_settings.night_checks_per_month,
        warnings=len(warnings),
        unchecked_warnings=unchecked,
    )


def night_month_settle(estate, day: dt.date, *, now=None) -> NightMonth:
    """Open the month's clock while it is short (unless the month was flagged already or is
    over), or meet it once the month has its checks. Inside the caller's transaction."""
    now = now_or(now)
    status = night_month(estate, day)
    _first, start, end = month_bounds(day)
    row, _created = NightCheckMonth.objects.get_or_create(estate=estate, month=status.month)
    clocks = Deadline.objects.for_subject(row).filter(kind=NIGHT_CHECKS_DUE)
    if not status.short:
        deadline_meet(subject=row, kind=NIGHT_CHECKS_DUE, at=now)
    elif now < end and not clocks.open().exists() and not clocks.exclude(breached_at=None).exists():
        deadline_open(
            subject=row,
            estate=estate,
            kind=NIGHT_CHECKS_DUE,
            started_at=max(start, min(now, end)),
            rule={"unit": "at", "due_at": end.isoformat()},
            now=now,
        )
    return status


def night_months_open(*, estate, now=None) -> NightMonth:
    """The system opens the current month's night-check clock of `estate` (the beat task
    `inspections.open_night_check_months`; idempotent)."""
    now = now_or(now)
    with transaction.atomic():
        return night_month_settle(estate, timezone.localtime(now).date(), now=now)
