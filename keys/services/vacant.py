"""Vacant units (空置房) whose keys the office holds: the month's inspection plan, the inspections
and their problems followed until fixed (docs/domain.md, Keys)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keys import rules
from keys.models import VacantInspection
from keys.selectors import vacant_units_with_keys
from keys.services.common import NOT_ALLOWED
from propserv.access import check_actor
from propserv.registry import registry
from propserv.roles import KEY_VACANT_INSPECTORS
from propserv.workdays import WorkCalendar


def _working_days(month: dt.date) -> list[dt.date]:
    cal = WorkCalendar()
    days, day = [], month
    while day.month == month.month:
        if cal.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@transaction.atomic
def vacant_plan_generate(*, estate, month: dt.date, actor) -> int:
    """The month's inspection plan: each unoccupied unit whose key we hold, spread over the
    month's working days. Idempotent: units already planned keep their dates."""
    check_actor(actor, estate=estate, roles=KEY_VACANT_INSPECTORS, message=NOT_ALLOWED)
    month = rules.first_of_month(month)
    days = _working_days(month)
    units = list(vacant_units_with_keys(estate))
    planned = set(
        VacantInspection.objects.filter(estate=estate, month=month).values_list(
            "unit_id", flat=True
        )
    )
    todo = [u for u in units if u.pk not in planned]
    created = 0
    for unit, on in rules.spread_over(todo, days or [month]):
        _obj, was_created = VacantInspection.objects.get_or_create(
            unit=unit, month=month, defaults={"estate": estate, "planned_on": on}
        )
        created += was_created
    return created


def lock_vacant_inspection(inspection: VacantInspection) -> VacantInspection:
    return (
        VacantInspection.objects.select_for_update().select_related("estate").get(pk=inspection.pk)
    )


@transaction.atomic
def vacant_inspection_record(
    *,
    inspection: VacantInspection,
    clean: bool,
    facilities_ok: bool,
    actor,
    problem: str = "",
    referred_to: str = "",
    at: dt.datetime | None = None,
) -> VacantInspection:
    at = at or timezone.now()
    inspection = lock_vacant_inspection(inspection)
    check_actor(actor, estate=inspection.estate, roles=KEY_VACANT_INSPECTORS, message=NOT_ALLOWED)
    if inspection.inspected_at:
        return inspection
    problem, referred_to = (problem or "").strip(), (referred_to or "").strip()
    if (not clean or not facilities_ok or problem) and not (problem and referred_to):
        raise ValidationError(
            {
                "problem": _(
                    "Describe the problem and the department it goes to; it is followed until fixed."
                )
            }
        )
    inspection.inspected_at, inspection.inspected_by = at, actor
    inspection.clean, inspection.facilities_ok = bool(clean), bool(facilities_ok)
    inspection.problem, inspection.referred_to = problem, referred_to
    inspection.save(
        update_fields=[
            "inspected_at",
            "inspected_by",
            "clean",
            "facilities_ok",
            "problem",
            "referred_to",
        ]
    )
    if problem:
        # Higher apps follow the problem (visits: an information-relay item to the department
        # head), inside this transaction (propserv.registry hooks).
        for hook in registry.hooks_for("vacant.problem_found"):
            hook(inspection=inspection, actor=actor, at=at)
    return inspection


@transaction.atomic
def vacant_problem_resolve(
    *, inspection: VacantInspection, actor, at: dt.datetime | None = None
) -> VacantInspection:
    at = at or timezone.now()
    inspection = lock_vacant_inspection(inspection)
    check_actor(actor, estate=inspection.estate, roles=KEY_VACANT_INSPECTORS, message=NOT_ALLOWED)
    if inspection.resolved_at or not inspection.problem:
        return inspection
    inspection.resolved_at = at
    inspection.save(update_fields=["resolved_at"])
    return inspection
