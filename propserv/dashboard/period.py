"""The dashboard's period from the query string: today, this week, this month, a month by name
(the monthly report) or a custom range of local dates; each with the period just before it.

Periods are whole local days (settings.TIME_ZONE), so every figure's drill-down link can name
them as inclusive dates. A bad custom range is refused with a translated message and the month
is shown instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propserv.registry import Period

CHOICES = (
    ("today", gettext_lazy("Today")),
    ("week", gettext_lazy("This week")),
    ("month", gettext_lazy("This month")),
    ("custom", gettext_lazy("Custom")),
)
MAX_DAYS = 731  # two years: longer ranges are refused


@dataclass(frozen=True)
class Chosen:
    key: str  # today / week / month / custom
    period: Period
    first_day: dt.date
    last_day: dt.date  # inclusive
    error: str = ""

    @property
    def params(self) -> dict:
        """The query parameters that choose this period again (links, exports, the API)."""
        if self.key == "custom":
            return {
                "period": "custom",
                "from": self.first_day.isoformat(),
                "to": self.last_day.isoformat(),
            }
        return {"period": self.key}


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_period(first: dt.date) -> Period:
    """A calendar month, beside the calendar month before it."""
    first = first.replace(day=1)
    return Period(
        start=_midnight(first),
        end=_midnight(_add_months(first, 1)),
        previous_start=_midnight(_add_months(first, -1)),
        previous_end=_midnight(first),
    )


def days_period(first: dt.date, last: dt.date) -> Period:
    """[first, last] as whole days, beside the same number of days just before."""
    length = (last - first).days + 1
    return Period(
        start=_midnight(first),
        end=_midnight(last + dt.timedelta(days=1)),
        previous_start=_midnight(first - dt.timedelta(days=length)),
        previous_end=_midnight(first),
    )


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def choose(params, now: dt.datetime | None = None) -> Chosen:
    """The period a query string asks for (`period`, and `from`/`to` for a custom one)."""
    today = timezone.localtime(now or timezone.now()).date()
    key = params.get("period") or "month"
    if key == "today":
        return Chosen(key, days_period(today, today), today, today)
    if key == "week":
        monday = today - dt.timedelta(days=today.weekday())
        sunday = monday + dt.timedelta(days=6)
        return Chosen(key, days_period(monday, sunday), monday, sunday)
    month = _month(today)
    if key == "custom":
        first, last = _date(params.get("from")), _date(params.get("to"))
        error = ""
        if first is None or last is None:
            error = _("Give the first and the last day of the period as dates (YYYY-MM-DD).")
        elif last < first:
            error = _("The last day of the period is before its first day.")
        elif (last - first).days + 1 > MAX_DAYS:
            error = _("A period can be at most two years long.")
        if not error:
            return Chosen(key, days_period(first, last), first, last)
        return Chosen("month", month_period(month), month, _month_end(month), error)
    return Chosen("month", month_period(month), month, _month_end(month))


def _month(today: dt.date) -> dt.date:
    return today.replace(day=1)


def _month_end(first: dt.date) -> dt.date:
    return _add_months(first, 1) - dt.timedelta(days=1)


def month_chosen(first: dt.date) -> Chosen:
    """A whole calendar month (the monthly service report)."""
    first = first.replace(day=1)
    return Chosen("custom", month_period(first), first, _month_end(first))
