"""Pure rules of the front desk: no ORM, `now` and the calendar passed in."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from propserv.deadline_rules import Calendar

# Deadline kinds (rows of propserv.Deadline; policies in visits/sla.py).
ANSWER = "visits.answer"  # the answer promised to the resident
HANDOVER_ACK = "visits.handover_ack"  # the next shift acknowledges the handover
DEFECT_SEND = "visits.defect_send"  # the rework form reaches the developer
EMERGENCY_NOTICE = "visits.emergency_notice"  # an emergency notice is posted

# "The next working morning": the rework form is with the developer by this time.
WORKING_MORNING = dt.time(9, 0)

# Resident type-ahead: what the search box was given.
REPAIR_NUMBER_RE = re.compile(r"^BX0*(\d{1,9})$", re.IGNORECASE)
VISIT_NUMBER_RE = re.compile(r"^JD0*(\d{1,9})$", re.IGNORECASE)
TRACKING_RE = re.compile(r"^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$")
DIGITS_RE = re.compile(r"^\d{3,11}$")
UNIT_RE = re.compile(r"^[0-9A-Za-z]+(-[0-9A-Za-z]*)+$")


def next_working_morning(now: dt.datetime, calendar: Calendar) -> tuple[dt.datetime, bool]:
    """09:00 of the first working day after `now`'s day: when the developer must have the form.
    Returns (due_at, provisional calendar)."""
    date, provisional = calendar.add_working_days(now.date(), 1)
    return dt.datetime.combine(date, WORKING_MORNING, tzinfo=now.tzinfo), provisional


def is_out_of_hours(now: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """Outside the service centre's staffed hours (the estate's calling hours)."""
    t = now.timetz().replace(tzinfo=None)
    return not (start <= t < end)


def completion_rate(reached: int, total: int) -> Decimal | None:
    """Share of households reached, in per cent with one decimal (None for an empty list)."""
    if total <= 0:
        return None
    return (Decimal(reached) * 100 / Decimal(total)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def classify_query(q: str) -> tuple[str, str]:
    """(kind, value) for the front desk's one search box.

    kinds: repair (BX000123), visit (JD000045), tracking (an 8-letter tracking code), digits (part
    of a phone or a room number), unit (3-2-1502), text (a name), empty.
    """
    q = (q or "").strip()
    if not q:
        return "empty", ""
    if m := REPAIR_NUMBER_RE.match(q):
        return "repair", m.group(1)
    if m := VISIT_NUMBER_RE.match(q):
        return "visit", m.group(1)
    if TRACKING_RE.match(q.upper()) and not q.isdigit() and not q.isalpha():
        return "tracking", q.upper()
    if DIGITS_RE.match(q):
        return "digits", q
    if UNIT_RE.match(q):
        return "unit", q
    if TRACKING_RE.match(q.upper()) and q.isupper():
        return "tracking", q
    return "text", q


def rating_counts_as_callback(status: str) -> bool:
    """The resident's one-tap rating on the tracking page is the callback of a completed repair."""
    return status == "completed"
