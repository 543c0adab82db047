"""Routine callbacks (回访, docs/domain.md, Callbacks): the planned calls of the callback queue.

- Each area administrator visits every household of their area once a quarter; the office head
  (the customer-service supervisor) visits every household once or twice a year. Generating a
  period's visits is idempotent: the unique constraint `callback_visit_once_per_period` lets a
  second run (or two at once) add nothing.
- Repair works are called back again one to two months after completion (once per repair: the
  unique constraint `callback_followup_once_per_repair`); a daily task plans those whose window
  has opened.
- Special paid services get a midway and an end callback, emergency assistance one within a week:
  planned by the desk for a household.
- Key households (重点户): put on and taken off the register; the row stays.

A routine callback has no ticket: its outcome is recorded here (`routine_complete`), reached from
the queue through `tickets.services.queue.callback_complete`. Attempts and callers use the same
services as problem callbacks (`tickets.services.callbacks`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, staff_of, staff_or_none, works_for
from propserv.errors import InvalidTransition
from propserv.models import Estate, Resident, Unit
from propserv.notifications import notify
from propserv.roles import CALLBACK_CALLERS, DESK, Role
from tickets.models import AdministratorArea, Callback, KeyHousehold, Repair
from tickets.selectors.routine import daily_tally
from tickets.services.callbacks import (
    check_caller,
    check_satisfaction,
    do_note_reached,
    do_record_outcome,
)

# Households: the units lived in (as the monthly complaint summary counts them).
HOUSEHOLD_STATUSES = (Unit.Status.OCCUPIED,)
PLANNED_KINDS = (Callback.Kind.PAID_MIDWAY, Callback.Kind.PAID_END, Callback.Kind.EMERGENCY)
# The afternoon tally (每天下午统计) goes to the supervisors from this time; a module constant until
# the estate settings have a field for it.
TALLY_AT = dt.time(16, 0)


# --- periods ----------------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the quarter holding `day`."""
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = dt.date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def head_slot_of(day: dt.date, visits_per_year: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the office head's visit slot holding `day`: the year, or with
    two visits a year the half-year."""
    if max(1, visits_per_year) >= 2:
        if day.month <= 6:
            return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
        return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def due_on(day: dt.date, settings_row) -> dt.datetime:
    """The end of the calling hours of `day`, local time: a visit planned for a period is due by
    its last day's last calling moment."""
    return timezone.make_aware(dt.datetime.combine(day, settings_row.calling_hours_end))


# --- households ---------------------------------------------------------------------------------------


def area_households(area: AdministratorArea):
    """The households (units lived in) of an administrator's area."""
    return (
        Unit.objects.filter(estate_id=area.estate_id, status__in=HOUSEHOLD_STATUSES)
        .filter(Q(building__administrator_areas=area) | Q(administrator_areas=area))
        .distinct()
        .order_by("pk")
    )


def contacts_of(unit_ids, on: dt.date) -> dict[int, Resident]:
    """The resident to reach in each unit: the owner first, then anyone living there."""
    order = {Resident.Role.OWNER: 0, Resident.Role.TENANT: 1, Resident.Role.FAMILY: 2}
    found: dict[int, Resident] = {}
    for resident in Resident.objects.current(on).filter(unit_id__in=list(unit_ids)).order_by("pk"):
        best = found.get(resident.unit_id)
        if best is None or order.get(resident.role, 9) < order.get(best.role, 9):
            found[resident.unit_id] = resident
    return found


def _plan_visits(estate, kind: str, units_by_caller: dict, first: dt.date, last: dt.date) -> int:
    """Insert one visit per unit for the period; existing ones are left alone (ON CONFLICT DO
    NOTHING on `callback_visit_once_per_period`). Returns how many were added."""
    settings_row = estate.service_settings
    all_units = [u for units in units_by_caller.values() for u in units]
    already = set(
        Callback.objects.filter(kind=kind, period_start=first, unit__in=all_units).values_list(
            "unit_id", flat=True
        )
    )
    contacts = contacts_of([u.pk for u in all_units if u.pk not in already], first)
    due_at = due_on(last, settings_row)
    rows, seen = [], set(already)
    for caller, units in units_by_caller.items():
        for unit in units:
            if unit.pk in seen:
                continue
            seen.add(unit.pk)
            rows.append(
                Callback(
                    estate=estate,
                    kind=kind,
                    unit=unit,
                    contact=contacts.get(unit.pk),
                    period_start=first,
                    due_at=due_at,
                    assigned_to=caller,
                )
            )
    before = Callback.objects.filter(kind=kind, period_start=first, estate=estate).count()
    Callback.objects.bulk_create(rows, ignore_conflicts=True)
    return Callback.objects.filter(kind=kind, period_start=first, estate=estate).count() - before


def do_generate_quarter_visits(estate: Estate, on: dt.date) -> int:
    """Every household of every administrator's area, one visit for the quarter holding `on`."""
    first, last = quarter_of(on)
    areas = AdministratorArea.objects.filter(estate=estate).select_related("administrator")
    units_by_caller: dict = {}
    for area in areas.order_by("pk"):
        units_by_caller.setdefault(area.administrator, []).extend(area_households(area))
    return _plan_visits(estate, Callback.Kind.ADMIN_VISIT, units_by_caller, first, last)


def do_generate_head_visits(estate: Estate, on: dt.date) -> int:
    """Every household of the estate, one office-head visit for the year (or half-year) holding
    `on`; assigned to the customer-service supervisor (客服主管)."""
    first, last = head_slot_of(on, estate.service_settings.head_visits_per_year)
    head = (
        staff_of(estate, Role.SUPERVISOR).first() or staff_of(estate, Role.PROJECT_MANAGER).first()
    )
    units = list(Unit.objects.filter(estate=estate, status__in=HOUSEHOLD_STATUSES).order_by("pk"))
    return _plan_visits(estate, Callback.Kind.HEAD_VISIT, {head: units}, first, last)


def do_plan_routine_visits(on: dt.date | None = None) -> int:
    """Beat: the current quarter's administrators' visits and the office head's visits of every
    estate, planned as the period begins (running it again adds nothing)."""
    on = on or timezone.localdate()
    added = 0
    for estate in Estate.objects.order_by("pk"):
        with transaction.atomic():
            added += do_generate_quarter_visits(estate, on)
            added += do_generate_head_visits(estate, on)
    return added


@transaction.atomic
def routine_generate_visits(*, estate: Estate, kind: str, actor, on: dt.date | None = None) -> int:
    """Plan the period's household visits (administrators' quarter or the office head's year);
    running it again adds nothing. Returns how many were added."""
    check_actor(
        actor,
        estate=estate,
        roles=CALLBACK_CALLERS,
        message=_(
            "Only an area administrator, a supervisor or the project manager may plan visits."
        ),
    )
    on = on or timezone.localdate()
    if kind == Callback.Kind.ADMIN_VISIT:
        return do_generate_quarter_visits(estate, on)
    if kind == Callback.Kind.HEAD_VISIT:
        return do_generate_head_visits(estate, on)
    raise ValidationError({"kind": _("Choose the administrators' or the office head's visits.")})


# --- repair-works follow-up ---------------------------------------------------------------------------


def followup_window(repair: Repair, settings_row) -> tuple[dt.datetime, dt.datetime]:
    """(call from, call by): one to two months after the works were completed."""
    done = timezone.localtime(repair.completed_at).date()
    return (
        due_on(done + dt.timedelta(days=settings_row.repair_followup_after_days), settings_row),
        due_on(done + dt.timedelta(days=settings_row.repair_followup_within_days), settings_row),
    )


def do_plan_repair_followups(now: dt.datetime | None = None) -> int:
    """Daily: every completed repair whose follow-up window has opened gets its follow-up call,
    once (the unique constraint makes a second run, or a concurrent one, add nothing)."""
    now = now or timezone.now()
    created = 0
    for estate in Estate.objects.filter(repairs__completed_at__isnull=False).distinct():
        s = estate.service_settings
        today = timezone.localdate(now)
        opened_by = today - dt.timedelta(days=s.repair_followup_after_days)
        closed_by = today - dt.timedelta(days=s.repair_followup_within_days)
        repairs = (
            Repair.objects.filter(
                estate=estate,
                completed_at__date__lte=opened_by,
                completed_at__date__gt=closed_by,
                unit__isnull=False,
                followups__isnull=True,
            )
            .exclude(status__in=[Repair.Status.CANCELLED, Repair.Status.REOPENED])
            .select_related("unit", "reporter")
            .order_by("pk")
        )
        admin = staff_of(estate, Role.AREA_ADMIN).first()
        rows = []
        for repair in repairs:
            _start, due_at = followup_window(repair, s)
            rows.append(
                Callback(
                    estate=estate,
                    kind=Callback.Kind.REPAIR_FOLLOWUP,
                    followup_repair=repair,
                    unit=repair.unit,
                    contact=repair.reporter,
                    topic=str(repair)[:200],
                    due_at=due_at,
                    assigned_to=_area_admin_of(repair.unit) or admin,
                )
            )
        before = Callback.objects.filter(estate=estate, kind=Callback.Kind.REPAIR_FOLLOWUP).count()
        Callback.objects.bulk_create(rows, ignore_conflicts=True)
        created += (
            Callback.objects.filter(estate=estate, kind=Callback.Kind.REPAIR_FOLLOWUP).count()
            - before
        )
    return created


def _area_admin_of(unit: Unit):
    area = (
        AdministratorArea.objects.filter(Q(buildings=unit.building_id) | Q(units=unit))
        .select_related("administrator")
        .order_by("pk")
        .first()
    )
    return area.administrator if area else None


# --- planned by the desk: paid service, emergency assistance -----------------------------------------


@transaction.atomic
def routine_plan(
    *,
    estate: Estate,
    kind: str,
    unit: Unit,
    actor,
    topic: str,
    contact: Resident | None = None,
    due_on_date: dt.date | None = None,
    assigned_to=None,
    at: dt.datetime | None = None,
) -> Callback:
    """A special paid service's midway or end callback (on the date agreed), or the callback
    after emergency assistance (within the estate's `emergency_callback_days`)."""
    at = at or timezone.now()
    check_actor(actor, estate=estate, roles=DESK)
    if kind not in PLANNED_KINDS:
        raise ValidationError(
            {
                "kind": _(
                    "Choose a paid-service (midway or end) or an emergency-assistance callback."
                )
            }
        )
    if unit is None or unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("Choose a unit of this estate.")})
    if contact is not None and contact.unit_id != unit.pk:
        raise ValidationError({"contact": _("This resident does not live in that unit.")})
    topic = (topic or "").strip()
    if not topic:
        raise ValidationError({"topic": _("Say what the service or the assistance was.")})
    if assigned_to is not None and not works_for(assigned_to, estate):
        raise ValidationError({"assigned_to": _("Choose a colleague of this estate.")})
    s = estate.service_settings
    today = timezone.localdate(at)
    if kind == Callback.Kind.EMERGENCY:
        latest = today + dt.timedelta(days=s.emergency_callback_days)
        day = due_on_date or latest
        if day > latest:
            raise ValidationError(
                {
                    "due_on_date": _("Emergency assistance is called back within %(days)s days.")
                    % {"days": s.emergency_callback_days}
                }
            )
    else:
        if due_on_date is None:
            raise ValidationError({"due_on_date": _("Give the date agreed for this callback.")})
        day = due_on_date
    if day < today:
        raise ValidationError({"due_on_date": _("The due date cannot be in the past.")})
    if contact is None:
        contact = contacts_of([unit.pk], today).get(unit.pk)
    callback = Callback.objects.create(
        estate=estate,
        kind=kind,
        unit=unit,
        contact=contact,
        topic=topic[:200],
        due_at=due_on(day, s),
        assigned_to=assigned_to or _area_admin_of(unit) or staff_or_none(actor),
    )
    if callback.assigned_to_id:
        notify(
            [callback.assigned_to],
            title=_("Callback for you: %(what)s") % {"what": callback.subject},
            url=callback.get_absolute_url(),
            estate=estate,
            dedupe_key=f"callback:{callback.pk}:due",
        )
    return callback


# --- the outcome ---------------------------------------------------------------------------------------


@transaction.atomic
def routine_complete(
    *,
    callback_id: int,
    satisfaction: int,
    actor,
    comment: str = "",
    confirmed_by_resident: bool = False,
    channel: str = "phone",
    at: dt.datetime | None = None,
) -> Callback:
    """The household reached: satisfaction 1–5, what they said, their confirmation. A
    dissatisfied household is flagged to the supervisors (there is no ticket to reopen)."""
    at = at or timezone.now()
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("estate", "unit", "contact")
        .get(pk=callback_id)
    )
    check_caller(actor, callback)
    if not callback.is_routine:
        raise InvalidTransition(_("This is a problem callback: record it from its ticket."))
    if callback.status == Callback.Status.DONE:
        return callback  # a double submit
    if callback.status != Callback.Status.PENDING:
        raise InvalidTransition(_("This callback has already been completed or cancelled."))
    score = check_satisfaction(satisfaction)
    do_note_reached(callback, actor=actor, at=at)
    do_record_outcome(
        callback,
        satisfaction=score,
        actor=actor,
        comment=comment,
        confirmed_by_resident=confirmed_by_resident,
        channel=channel,
        at=at,
    )
    if callback.dissatisfied:
        notify(
            staff_of(callback.estate, Role.SUPERVISOR),
            title=_("Dissatisfied household: %(what)s") % {"what": callback.subject},
            body=comment.strip()[:200],
            url=callback.get_absolute_url(),
            estate=callback.estate,
            dedupe_key=f"callback:{callback.pk}:dissatisfied",
        )
    return callback


# --- key households -----------------------------------------------------------------------------------


@transaction.atomic
def key_household_add(
    *, estate: Estate, unit: Unit, reason: str, actor, resident: Resident | None = None, at=None
) -> KeyHousehold:
    at = at or timezone.now()
    check_actor(actor, estate=estate, roles=DESK)
    if unit is None or unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("Choose a unit of this estate.")})
    if resident is not None and resident.unit_id != unit.pk:
        raise ValidationError({"resident": _("This resident does not live in that unit.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this is a key household.")})
    Unit.objects.select_for_update().get(pk=unit.pk)  # two desks adding the same unit: one row
    if KeyHousehold.objects.filter(unit=unit, removed_at__isnull=True).exists():
        raise ValidationError({"unit": _("This household is already on the register.")})
    return KeyHousehold.objects.create(
        estate=estate,
        unit=unit,
        resident=resident,
        reason=reason[:200],
        added_at=at,
        added_by=staff_or_none(actor),
    )


@transaction.atomic
def key_household_remove(*, key_household_id: int, reason: str, actor, at=None) -> KeyHousehold:
    at = at or timezone.now()
    row = KeyHousehold.objects.select_for_update().select_related("estate").get(pk=key_household_id)
    check_actor(actor, estate=row.estate, roles=CALLBACK_CALLERS)
    if row.removed_at is not None:
        raise InvalidTransition(_("This household is no longer on the register."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it comes off the register.")})
    row.removed_at, row.removed_by, row.removed_reason = at, staff_or_none(actor), reason[:200]
    row.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    return row


# --- the afternoon tally --------------------------------------------------------------------------------


def do_notify_daily_tally(now: dt.datetime | None = None) -> int:
    """From `TALLY_AT` on, each estate's supervisors get the day's callbacks done and due, once a
    day (the notification's dedupe key). Returns the notifications created."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < TALLY_AT:
        return 0
    day = local.date()
    sent = 0
    for estate in Estate.objects.filter(callbacks__isnull=False).distinct().order_by("pk"):
        totals = daily_tally(estate, day, now)["totals"]
        sent += len(
            notify(
                staff_of(estate, Role.SUPERVISOR),
                title=_("Callbacks today: %(done)s done, %(open)s of %(due)s due still to call")
                % totals,
                body=_("Overdue from before today: %(overdue)s.") % totals,
                url=f"{reverse('tickets:routine-tally')}?estate={estate.code}",
                estate=estate,
                dedupe_key=f"callback-tally:{estate.pk}:{day.isoformat()}",
            )
        )
    return sent
