"""Pure rules of renovation (docs/domain.md, "Renovation"): no ORM, `now` passed in.

- scope: structural changes, façade changes and building additions are never approved;
- passes: valid / expired / revoked / suspended, read at the gate;
- patrols: the estate's seasonal patrol hours and the day's patrol slots.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

FORBIDDEN_SCOPE = frozenset({"structural", "facade", "addition"})

CENT = Decimal("0.01")
# What the gate shows for a pass.
VALID, EXPIRED, REVOKED, SUSPENDED, NOT_YET = "valid", "expired", "revoked", "suspended", "not_yet"


def forbidden_scope(scope: list[str]) -> list[str]:
    """The codes of `scope` that can never be approved, in the order given."""
    return [code for code in scope if code in FORBIDDEN_SCOPE]


def yuan(value) -> Decimal | None:
    """`value` as an amount of yuan in whole cents (Decimal with two places), or None when it
    is not a number or has fractions of a cent: money is never rounded silently."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        if not amount.is_finite() or amount != amount.quantize(CENT):
            return None
        return amount.quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        return None


def permit_number(year: int, sequence: int) -> str:
    """ZX2026-0007: the estate's 7th permit of 2026."""
    return f"ZX{year}-{sequence:04d}"


def pass_number(permit: str, sequence: int) -> str:
    """ZX2026-0007-03: the 3rd pass of that permit."""
    return f"{permit}-{sequence:02d}"


def pass_state(
    *,
    today: dt.date,
    valid_from: dt.date,
    valid_until: dt.date,
    revoked: bool,
    work_allowed: bool,
    finished: bool = False,
) -> str:
    """What the gate shows: revoked beats everything, then a finished renovation (expired),
    a stopped one (suspended), then the dates."""
    if revoked:
        return REVOKED
    if finished:
        return EXPIRED
    if not work_allowed:
        return SUSPENDED
    if today > valid_until:
        return EXPIRED
    if today < valid_from:
        return NOT_YET
    return VALID


# --- patrols --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatrolHours:
    summer_from_month: int
    summer_to_month: int
    summer_start: dt.time
    summer_end: dt.time
    winter_start: dt.time
    winter_end: dt.time


@dataclass(frozen=True)
class Slot:
    code: str  # "am", "pm" for two patrols a day, else "p1" … "pN"
    start: dt.datetime
    end: dt.datetime


def is_summer(month: int, from_month: int, to_month: int) -> bool:
    """Whether `month` lies in the summer months (a range that may wrap over the new year)."""
    if from_month <= to_month:
        return from_month <= month <= to_month
    return month >= from_month or month <= to_month


def patrol_window(day: dt.date, hours: PatrolHours) -> tuple[dt.time, dt.time]:
    if is_summer(day.month, hours.summer_from_month, hours.summer_to_month):
        return hours.summer_start, hours.summer_end
    return hours.winter_start, hours.winter_end


def patrol_slots(day: dt.date, hours: PatrolHours, per_day: int, tz: dt.tzinfo) -> list[Slot]:
    """The day's patrol slots in local time. Two a day: morning until noon, afternoon from noon
    to the end of patrol hours; otherwise the patrol hours in `per_day` equal parts."""
    start_t, end_t = patrol_window(day, hours)
    start = dt.datetime.combine(day, start_t, tzinfo=tz)
    end = dt.datetime.combine(day, end_t, tzinfo=tz)
    if per_day <= 0 or end <= start:
        return []
    noon = dt.datetime.combine(day, dt.time(12, 0), tzinfo=tz)
    if per_day == 2 and start < noon < end:
        return [Slot("am", start, noon), Slot("pm", noon, end)]
    step = (end - start) / per_day
    return [Slot(f"p{i + 1}", start + step * i, start + step * (i + 1)) for i in range(per_day)]


def slot_at(slots: list[Slot], moment: dt.datetime) -> Slot | None:
    """The slot `moment` falls in (start included, end excluded), or None outside patrol hours."""
    for slot in slots:
        if slot.start <= moment < slot.end:
            return slot
    return None


# --- working hours (docs/domain.md, "Renovation") ------------------------------------------
def working_hours_for(use: str, estate_settings) -> tuple[tuple[dt.time, dt.time], ...]:
    """When noisy work is allowed in a unit of `use`, by the estate's settings: residential
    units around a midday break (08:00–12:00, 14:00–17:00), commercial ones until the workers
    must leave (08:00–19:00)."""
    s = estate_settings
    if use == "commercial":
        return ((s.renovation_work_start, s.commercial_work_end),)
    return (
        (s.renovation_work_start, s.renovation_break_start),
        (s.renovation_break_end, s.residential_work_end),
    )


def within_working_hours(local_moment: dt.datetime, windows) -> bool:
    """Whether noisy work at `local_moment` (the estate's local time) is allowed."""
    moment = local_moment.time()
    return any(start <= moment < end for start, end in windows)
