"""The working-day calendar (national statutory holidays and 调休 working weekends).

Years the `chinese-calendar` package covers are seeded from it (official); later years are computed
from the rule-based CN holidays of the `holidays` package, marked provisional and flagged to
managers until an admin confirms or edits them. Seeding happens lazily on first use of a year, so no
date ever crashes. Edits send `calendar_changed`; the deadline engine recomputes open deadlines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
from chinese_calendar import constants
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.models import CalendarDay, CalendarYear

# Sent after the calendar of some dates changed; kwargs: dates (a sorted list of dt.date).
calendar_changed = Signal()

# chinese-calendar names its holidays in English; staff read the Chinese ones.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _package_years() -> set[int]:
    return {d.year for d in constants.holidays}


def _official_days(year: int) -> list[CalendarDay]:
    days = []
    for date, holiday in constants.holidays.items():
        if date.year == year:
            days.append(
                CalendarDay(
                    date=date,
                    kind=CalendarDay.Kind.HOLIDAY,
                    name=HOLIDAY_NAMES_ZH.get(holiday, holiday),
                )
            )
    for date, holiday in constants.workdays.items():
        if date.year == year:
            days.append(
                CalendarDay(
                    date=date,
                    kind=CalendarDay.Kind.WORKDAY,
                    name=HOLIDAY_NAMES_ZH.get(holiday, holiday),
                )
            )
    return days


def _rule_based_days(year: int) -> list[CalendarDay]:
    return [
        CalendarDay(date=date, kind=CalendarDay.Kind.HOLIDAY, name=name)
        for date, name in sorted(
            holidays.country_holidays("CN", years=year, language="zh_CN").items()
        )
    ]


def ensure_year(year: int) -> CalendarYear:
    """Seed a year once (official when the package covers it, else provisional rules)."""
    found = CalendarYear.objects.filter(year=year).first()
    if found:
        return found
    official = year in _package_years()
    days = _official_days(year) if official else _rule_based_days(year)
    try:
        with transaction.atomic():
            cal_year = CalendarYear.objects.create(
                year=year,
                source=CalendarYear.Source.OFFICIAL if official else CalendarYear.Source.RULES,
                provisional=not official,
            )
            CalendarDay.objects.bulk_create(days, ignore_conflicts=True)
    except IntegrityError:  # another process seeded it at the same moment
        cal_year = CalendarYear.objects.get(year=year)
    return cal_year


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    reason: str  # "workday", "weekend", "holiday", "adjusted_workday"
    name: str
    provisional: bool


class WorkCalendar:
    """Answers working-day questions over a date range with one query per year."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[dict[dt.date, CalendarDay], bool]] = {}

    def _year(self, year: int) -> tuple[dict[dt.date, CalendarDay], bool]:
        if year not in self._years:
            cal_year = ensure_year(year)
            days = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
            self._years[year] = (days, cal_year.provisional)
        return self._years[year]

    def info(self, date: dt.date) -> DayInfo:
        days, provisional = self._year(date.year)
        override = days.get(date)
        if override is not None:
            if override.kind == CalendarDay.Kind.WORKDAY:
                return DayInfo(date, True, "adjusted_workday", override.name, provisional)
            return DayInfo(date, False, "holiday", override.name, provisional)
        if date.weekday() >= 5:
            return DayInfo(date, False, "weekend", "", provisional)
        return DayInfo(date, True, "workday", "", provisional)

    def is_working_day(self, date: dt.date) -> bool:
        return self.info(date).is_working_day

    def add_working_days(self, start: dt.date, n: int) -> tuple[dt.date, bool]:
        """The n-th working day after `start` (not counting `start`), and whether any day counted
        over lies in a provisional year."""
        if n < 0:
            raise ValueError("n must be >= 0")
        date, counted, provisional = start, 0, self._year(start.year)[1]
        while counted < n:
            date += dt.timedelta(days=1)
            info = self.info(date)
            provisional = provisional or info.provisional
            if info.is_working_day:
                counted += 1
        return date, provisional


def is_working_day(date: dt.date) -> bool:
    return WorkCalendar().is_working_day(date)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return WorkCalendar().add_working_days(start, n)[0]


def end_of_working_days(received_at: dt.datetime, n: int) -> tuple[dt.datetime, bool]:
    """Due at the end (23:59:59.999999 local time) of the n-th working day after the day of
    `received_at`: the rule "reply within 4 working days". Returns (due_at, provisional)."""
    local = timezone.localtime(received_at)
    date, provisional = WorkCalendar().add_working_days(local.date(), n)
    end = dt.datetime.combine(date, dt.time.max)
    return timezone.make_aware(end, local.tzinfo), provisional


def years_needing_confirmation():
    """Provisional years that deadlines can still fall in (a look at 1900 is no reason to warn)."""
    return CalendarYear.objects.filter(
        provisional=True, confirmed_at__isnull=True, year__gte=timezone.localdate().year
    )


@transaction.atomic
def calendar_set_day(*, date: dt.date, kind: str | None, name: str, actor) -> None:
    """Make `date` a holiday, an adjusted workday, or (kind None) an ordinary day again."""
    if kind not in (None, CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY):
        raise ValueError(_("Unknown kind of day."))
    ensure_year(date.year)
    CalendarYear.objects.select_for_update().get(year=date.year)
    if kind is None:
        CalendarDay.objects.filter(date=date).delete()
    else:
        CalendarDay.objects.update_or_create(date=date, defaults={"kind": kind, "name": name[:64]})
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarDay, dates=[date]))


@transaction.atomic
def calendar_confirm_year(*, year: int, actor) -> CalendarYear:
    cal_year = CalendarYear.objects.select_for_update().get(pk=ensure_year(year).pk)
    if cal_year.confirmed_at:
        return cal_year
    cal_year.confirmed_by = actor
    cal_year.confirmed_at = timezone.now()
    cal_year.provisional = False
    cal_year.save(update_fields=["confirmed_by", "confirmed_at", "provisional"])
    first = dt.date(year, 1, 1)
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarYear, dates=[first]))
    return cal_year
