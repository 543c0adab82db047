"""Move-in (入伙, docs/domain.md, "Hand-over and move-in"): the plan, its checklist and batches,
each owner's appointment, and the day itself. On acceptance one transaction records the
hand-over, moves the unit and the owner on, opens the welcome-visit clock, bills the move-in
charges at their published rates and issues the
keys through the key cabinet's move-in issue. Refusal keeps the problems and the reasons."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fees.models import ChargeItem
from fees.services.charges import charge_at_rate
from inspections.models import (
    MoveInAppointment,
    MoveInBatch,
    MoveInPlan,
    PrepItem,
    Problem,
    UnitHandover,
)
from inspections.services.handover import unit_handover_record
from inspections.services.predelivery import NOT_ALLOWED
from inspections.sla import WELCOME_VISIT
from keys.services.move_in import keys_issue_to_owner
from propserv.access import check_actor
from propserv.deadlines import deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.models import Resident, Unit
from propserv.roles import HANDOVER_DESK, HANDOVER_PLANNERS

S = MoveInAppointment.Status


@transaction.atomic
def plan_create(
    *,
    estate,
    name: str,
    actor,
    staffing: str = "",
    risks: str = "",
    prep_items: list[str] = (),
    charge_items: list[ChargeItem] = (),
) -> MoveInPlan:
    """A move-in plan with its staffing, risk pre-assessment, checklist and charges."""
    check_actor(actor, estate=estate, roles=HANDOVER_PLANNERS, message=NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the move-in plan.")})
    for item in charge_items:
        if item.estate_id != estate.pk or item.kind != ChargeItem.Kind.ONE_OFF:
            raise ValidationError({"charge_items": _("Choose one-off items of this estate.")})
    plan = MoveInPlan.objects.create(
        estate=estate,
        name=name[:100],
        staffing=(staffing or "").strip(),
        risks=(risks or "").strip(),
        created_by=actor,
    )
    plan.charge_items.set(charge_items)
    for text in prep_items:
        if text.strip():
            PrepItem.objects.create(plan=plan, text=text.strip()[:200])
    return plan


@transaction.atomic
def prep_tick(*, item: PrepItem, actor, at: dt.datetime | None = None) -> PrepItem:
    """Tick a preparation item done, with who and when (ticking again changes nothing)."""
    check_actor(actor, estate=item.plan.estate_id, roles=HANDOVER_DESK, message=NOT_ALLOWED)
    item = PrepItem.objects.select_for_update().get(pk=item.pk)
    if item.done_at is None:
        item.done_at, item.done_by = at or timezone.now(), actor
        item.save(update_fields=["done_at", "done_by"])
    return item


@transaction.atomic
def batch_add(
    *, plan: MoveInPlan, name: str, day: dt.date, actor, staffing: str = ""
) -> MoveInBatch:
    check_actor(actor, estate=plan.estate_id, roles=HANDOVER_PLANNERS, message=NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the batch.")})
    return MoveInBatch.objects.create(
        plan=plan, name=name[:64], day=day, staffing=(staffing or "").strip()[:200]
    )


@transaction.atomic
def appointment_book(
    *,
    unit: Unit,
    owner: Resident,
    actor,
    day: dt.date | None = None,
    time: dt.time | None = None,
    batch: MoveInBatch | None = None,
) -> MoveInAppointment:
    """Book the owner's move-in: in a batch (on its day) or alone, as a later arrival."""
    check_actor(actor, estate=unit.estate_id, roles=HANDOVER_DESK, message=NOT_ALLOWED)
    if batch is not None and batch.plan.estate_id != unit.estate_id:
        raise ValidationError({"batch": _("Choose a batch of this estate.")})
    day = day or (batch.day if batch is not None else None)
    if day is None:
        raise ValidationError({"day": _("Choose the day.")})
    if owner.unit_id != unit.pk or owner.role != Resident.Role.OWNER:
        raise ValidationError({"owner": _("Choose an owner registered for this unit.")})
    if UnitHandover.objects.filter(unit=unit).exists():
        raise InvalidTransition(
            _("Unit %(unit)s was handed over already.") % {"unit": unit.code}, code="handed_over"
        )
    taken = _("Unit %(unit)s already has a move-in appointment.") % {"unit": unit.code}
    if MoveInAppointment.objects.filter(unit=unit, status__in=MoveInAppointment.OPEN).exists():
        raise InvalidTransition(taken, code="booked")
    try:
        with transaction.atomic():
            return MoveInAppointment.objects.create(
                estate_id=unit.estate_id,
                batch=batch,
                unit=unit,
                owner=owner,
                day=day,
                time=time,
                created_by=actor,
            )
    except IntegrityError:  # booked at the same moment: the partial unique index
        raise InvalidTransition(taken, code="booked") from None


def _lock(appointment: MoveInAppointment) -> MoveInAppointment:
    return (
        MoveInAppointment.objects.select_for_update(of=("self",))
        .select_related("unit", "owner", "estate", "batch__plan")
        .get(pk=appointment.pk)
    )


def _check_open(appointment: MoveInAppointment) -> None:
    if appointment.status not in MoveInAppointment.OPEN:
        raise InvalidTransition(
            _("The appointment of unit %(unit)s is “%(status)s” already.")
            % {"unit": appointment.unit.code, "status": appointment.get_status_display()}
        )


@transaction.atomic
def appointment_arrive(
    *, appointment: MoveInAppointment, actor, at: dt.datetime | None = None
) -> MoveInAppointment:
    """The owner arrived at the desk (arriving twice changes nothing)."""
    check_actor(actor, estate=appointment.estate_id, roles=HANDOVER_DESK, message=NOT_ALLOWED)
    appointment = _lock(appointment)
    if appointment.status == S.ARRIVED:
        return appointment
    _check_open(appointment)
    appointment.status, appointment.arrived_at = S.ARRIVED, at or timezone.now()
    appointment.save(update_fields=["status", "arrived_at"])
    return appointment


def blocking_problems(unit: Unit):
    return Problem.objects.filter(unit=unit, severity=Problem.Severity.BLOCKING).exclude(
        status=Problem.Status.CLOSED
    )


@transaction.atomic
def appointment_accept(
    *,
    appointment: MoveInAppointment,
    actor,
    override_reason: str = "",
    keys=(),
    owner_id_last4: str = "",
    identity_checked: bool = False,
    at: dt.datetime | None = None,
) -> UnitHandover:
    """The owner accepts the unit. An open blocking problem needs an explicit reason to accept
    all the same. Accepting again returns the same hand-over."""
    check_actor(actor, estate=appointment.estate_id, roles=HANDOVER_DESK, message=NOT_ALLOWED)
    at = at or timezone.now()
    appointment = _lock(appointment)
    if appointment.status == S.ACCEPTED:
        return appointment.handover
    _check_open(appointment)
    unit = Unit.objects.select_for_update().get(pk=appointment.unit_id)
    override_reason = (override_reason or "").strip()
    blocking = list(blocking_problems(unit).order_by("pk"))
    if blocking and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "Unit %(unit)s still has %(n)s open problem(s) that block hand-over (%(numbers)s): "
                    "give the reason to accept it all the same, or refuse it."
                )
                % {
                    "unit": unit.code,
                    "n": len(blocking),
                    "numbers": ", ".join(p.number for p in blocking),
                }
            },
            code="blocking_problems",
        )
    appointment.status, appointment.decided_at, appointment.decided_by = S.ACCEPTED, at, actor
    appointment.arrived_at = appointment.arrived_at or at
    appointment.override_reason = override_reason if blocking else ""
    appointment.save(
        update_fields=["status", "decided_at", "decided_by", "arrived_at", "override_reason"]
    )
    handover = unit_handover_record(unit=unit, owner=appointment.owner, at=at, actor=actor)
    handover.appointment, handover.override_reason = appointment, appointment.override_reason
    handover.save(update_fields=["appointment", "override_reason"])
    if unit.status != Unit.Status.OCCUPIED:
        unit.status = Unit.Status.OCCUPIED
        unit.save(update_fields=["status"])
    owner = Resident.objects.select_for_update().get(pk=appointment.owner_id)
    if owner.moved_in_on is None:
        owner.moved_in_on = timezone.localdate(at)
        owner.save(update_fields=["moved_in_on"])
    deadline_open(
        subject=appointment,
        estate=appointment.estate,
        kind=WELCOME_VISIT,
        started_at=at,
        rule={"unit": "days", "amount": appointment.estate.service_settings.new_owner_visit_days},
        now=at,
    )
    _bill(appointment, at)
    if keys:
        keys_issue_to_owner(
            unit=unit,
            owner=owner,
            keys=list(keys),
            owner_id_last4=owner_id_last4,
            identity_checked=identity_checked,
            actor=actor,
            at=at,
        )
    return handover


@transaction.atomic
def appointment_refuse(
    *, appointment: MoveInAppointment, reasons: str, actor, at: dt.datetime | None = None
) -> MoveInAppointment:
    """The owner refuses the unit, with reasons; the unit's problems stay on its list and a
    new appointment may be booked once they are fixed."""
    check_actor(actor, estate=appointment.estate_id, roles=HANDOVER_DESK, message=NOT_ALLOWED)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("Give the owner's reasons for refusing.")})
    appointment = _lock(appointment)
    _check_open(appointment)
    at = at or timezone.now()
    appointment.status, appointment.decided_at, appointment.decided_by = S.REFUSED, at, actor
    appointment.arrived_at = appointment.arrived_at or at
    appointment.reasons = reasons[:2000]
    appointment.save(update_fields=["status", "decided_at", "decided_by", "arrived_at", "reasons"])
    return appointment


def charge_items_of(appointment: MoveInAppointment) -> list[ChargeItem]:
    """The plan's move-in charges; a later arrival takes the estate's latest plan's."""
    plan = appointment.batch.plan if appointment.batch_id else None
    if plan is None:
        plan = MoveInPlan.objects.filter(estate_id=appointment.estate_id).first()
    return list(plan.charge_items.filter(active=True)) if plan is not None else []


def _bill(appointment: MoveInAppointment, at: dt.datetime) -> int:
    """The plan's move-in charges at their published rates, once per appointment (the caller
    holds the appointment's lock): the desk that accepts the unit bills them, as completing a
    paid repair bills it, because the amounts are the tariff's (fees.services.charge_at_rate)."""
    if appointment.charges_billed_at is not None:
        return 0
    on, billed = timezone.localdate(at), 0
    for item in charge_items_of(appointment):
        if charge_at_rate(unit=appointment.unit, item=item, on=on, description=str(_("Move-in"))):
            billed += 1
    appointment.charges_billed_at = at
    appointment.save(update_fields=["charges_billed_at"])
    return billed


@transaction.atomic
def welcome_visit_record(
    *, appointment: MoveInAppointment, actor, note: str = "", at: dt.datetime | None = None
) -> MoveInAppointment:
    """The staff member visited the new owner: the welcome-visit clock is met."""
    check_actor(actor, estate=appointment.estate_id, roles=HANDOVER_DESK, message=NOT_ALLOWED)
    appointment = _lock(appointment)
    if appointment.status != S.ACCEPTED:
        raise InvalidTransition(_("Only a new owner who accepted the unit is visited."))
    if appointment.welcome_visited_at is not None:
        return appointment
    at = at or timezone.now()
    appointment.welcome_visited_at, appointment.welcome_note = at, (note or "").strip()[:300]
    appointment.save(update_fields=["welcome_visited_at", "welcome_note"])
    deadline_meet(subject=appointment, kind=WELCOME_VISIT, at=at)
    return appointment
