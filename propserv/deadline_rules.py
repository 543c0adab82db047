"""Pure deadline arithmetic: no ORM, `now` and the calendar passed in, so tests never sleep.

A rule is a small dict stored on the Deadline row (so it can be recomputed later):
    {"unit": "minutes", "amount": 15}
    {"unit": "hours", "amount": 48}
    {"unit": "days", "amount": 3}               # calendar days
    {"unit": "working_days", "amount": 4}       # end of the n-th working day after the start day
    {"unit": "same_day"}                        # end of the start day
    {"unit": "at", "due_at": "<iso datetime>"}  # an agreed time (a resident's request, an approval)
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Calendar(Protocol):
    def add_working_days(self, start: dt.date, n: int) -> tuple[dt.date, bool]: ...


def end_of_day(moment: dt.datetime, date: dt.date | None = None) -> dt.datetime:
    date = date or moment.date()
    return dt.datetime.combine(date, dt.time(23, 59, 59), tzinfo=moment.tzinfo)


def compute_due(
    rule: dict, started_at: dt.datetime, calendar: Calendar | None = None
) -> tuple[dt.datetime, bool]:
    """(due_at, provisional) for `rule` counted from `started_at` (an aware local datetime)."""
    unit = rule["unit"]
    if unit == "minutes":
        return started_at + dt.timedelta(minutes=rule["amount"]), False
    if unit == "hours":
        return started_at + dt.timedelta(hours=rule["amount"]), False
    if unit == "days":
        return started_at + dt.timedelta(days=rule["amount"]), False
    if unit == "same_day":
        return end_of_day(started_at), False
    if unit == "working_days":
        if calendar is None:
            raise ValueError("a working-day rule needs the calendar")
        date, provisional = calendar.add_working_days(started_at.date(), rule["amount"])
        return end_of_day(started_at, date), provisional
    if unit == "at":
        due = dt.datetime.fromisoformat(rule["due_at"])
        return max(due, started_at), False
    raise ValueError(f"unknown deadline rule unit: {unit!r}")


def warn_moment(
    started_at: dt.datetime, due_at: dt.datetime, warn_percent: int
) -> dt.datetime | None:
    """When the warning goes out: `warn_percent` % of the allowed time has elapsed."""
    if not 0 < warn_percent < 100 or due_at <= started_at:
        return None
    return started_at + (due_at - started_at) * warn_percent / 100


def next_check(
    *,
    now: dt.datetime,
    warn_at,
    warned_at,
    due_at,
    breached_at,
    level: int,
    max_level: int,
    step: dt.timedelta,
) -> dt.datetime | None:
    """The next moment the sweep must look at a deadline (None: nothing more can happen)."""
    if breached_at is None:
        if warned_at is None and warn_at is not None and warn_at < due_at:
            return warn_at
        return due_at
    if level < max_level:
        return due_at + step * level
    return None


def deadline_state(
    *,
    now: dt.datetime,
    due_at: dt.datetime,
    warn_at: dt.datetime | None,
    warned_at: dt.datetime | None,
    met_at: dt.datetime | None,
    breached_at: dt.datetime | None,
    cancelled_at: dt.datetime | None,
) -> str:
    """green / amber / red / met / met-late / cancelled, as the boards colour a deadline."""
    if cancelled_at:
        return "cancelled"
    if met_at:
        return "met-late" if met_at > due_at else "met"
    if now >= due_at or breached_at:
        return "red"
    if (warn_at and now >= warn_at) or warned_at:
        return "amber"
    return "green"
