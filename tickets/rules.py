"""Pure repair rules (no ORM): which clock applies, and whether a move is allowed."""

from __future__ import annotations

import datetime as dt

ARRIVAL = "repair.arrival"
COMPLETION = "repair.completion"
CALLBACK = "repair.callback"

# How far back staff may date a call that was logged late.
MAX_BACKDATE = dt.timedelta(hours=24)


def arrival_rule(*, urgent: bool, settings) -> dict:
    minutes = settings.urgent_arrival_minutes if urgent else settings.normal_arrival_minutes
    return {"unit": "minutes", "amount": minutes}


def completion_rule(*, difficult: bool, settings) -> dict:
    hours = settings.difficult_repair_hours if difficult else settings.general_repair_hours
    return {"unit": "hours", "amount": hours}


def callback_rule(*, settings) -> dict:
    return {"unit": "hours", "amount": settings.repair_callback_hours}


def check_received_at(received_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why `received_at` is not acceptable, or None. Staff may backdate a late-logged call."""
    if received_at > now + dt.timedelta(minutes=1):
        return "future"
    if now - received_at > MAX_BACKDATE:
        return "too_old"
    return None


def is_dissatisfied(satisfaction: int) -> bool:
    return satisfaction <= 2
