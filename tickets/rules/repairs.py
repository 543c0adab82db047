"""Pure repair rules (no ORM): which clock applies (docs/domain.md, Repairs)."""

from __future__ import annotations

from tickets.rules.callbacks import is_dissatisfied

ARRIVAL = "repair.arrival"
COMPLETION = "repair.completion"
CALLBACK = "repair.callback"
KINDS = (ARRIVAL, COMPLETION, CALLBACK)

__all__ = ["is_dissatisfied"]  # re-exported: a repair callback uses the same scale


def arrival_rule(*, urgent: bool, settings) -> dict:
    minutes = settings.urgent_arrival_minutes if urgent else settings.normal_arrival_minutes
    return {"unit": "minutes", "amount": minutes}


def completion_rule(*, difficult: bool, settings) -> dict:
    hours = settings.difficult_repair_hours if difficult else settings.general_repair_hours
    return {"unit": "hours", "amount": hours}


def callback_rule(*, settings) -> dict:
    return {"unit": "hours", "amount": settings.repair_callback_hours}
