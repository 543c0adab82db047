"""The technician's steps on site: arrival, quote and consent, work, completion, hold and resume
(docs/domain.md, Repairs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of
from propserv.deadlines import (
    deadline_meet,
    deadline_open,
    deadline_reschedule,
)
from propserv.errors import InvalidTransition
from propserv.models import Deadline
from propserv.registry import registry
from propserv.roles import Role
from tickets.models import Callback, PriceItem, Repair, RepairChargeLine, RepairEvent
from tickets.rules import repairs as rules
from tickets.services import second_handlings
from tickets.services.repairs.core import FINISHED, check_on_site, lock_repair, move


@transaction.atomic
def repair_mark_arrived(*, repair_id: int, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if repair.status == Repair.Status.ON_SITE:
        return repair
    move(repair, Repair.Status.ON_SITE, actor=actor, at=at, action="arrived")
    repair.arrived_at = at
    repair.save(update_fields=["status", "arrived_at"])
    deadline_meet(subject=repair, kind=rules.ARRIVAL, at=at)
    return repair


@transaction.atomic
def repair_quote(*, repair_id: int, lines: list[tuple[int, Decimal]], actor, at=None) -> Repair:
    """Price a chargeable job from the published price list (never above it)."""
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if repair.status in FINISHED:
        raise InvalidTransition(_("A finished repair cannot be quoted."))
    if repair.consent_at:
        raise InvalidTransition(_("The resident already agreed to the quote; it cannot change."))
    if not lines:
        raise ValidationError({"lines": _("Add at least one item from the price list.")})
    items = {
        p.pk: p
        for p in PriceItem.objects.filter(
            estate=repair.estate, active=True, pk__in=[pk for pk, _q in lines]
        )
    }
    total = Decimal("0.00")
    new_lines = []
    for pk, quantity in lines:
        item = items.get(pk)
        quantity = Decimal(quantity)
        if item is None:
            raise ValidationError(
                {"lines": _("Only items of this estate's price list can be charged.")}
            )
        if quantity <= 0:
            raise ValidationError({"lines": _("Quantities must be more than zero.")})
        amount = (item.price * quantity).quantize(Decimal("0.01"))
        total += amount
        new_lines.append(
            RepairChargeLine(
                repair=repair,
                price_item=item,
                quantity=quantity,
                unit_price=item.price,
                amount=amount,
            )
        )
    # A new quote supersedes the old one; every quote given stays on record.
    repair.charge_lines.filter(superseded_at__isnull=True).update(superseded_at=at)
    RepairChargeLine.objects.bulk_create(new_lines)
    repair.chargeable, repair.quoted_amount = True, total
    repair.save(update_fields=["chargeable", "quoted_amount"])
    RepairEvent.record(
        repair,
        action="quoted",
        actor=actor,
        at=at,
        data={
            "total": str(total),
            "lines": [[ln.price_item.name, str(ln.quantity), str(ln.amount)] for ln in new_lines],
        },
    )
    return repair


@transaction.atomic
def repair_record_consent(*, repair_id: int, resident_name: str, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if not repair.chargeable or repair.quoted_amount is None:
        raise ValidationError(_("There is no quote to agree to."))
    if repair.consent_at:
        return repair
    if not resident_name.strip():
        raise ValidationError({"resident_name": _("Who agreed to the price?")})
    repair.consent_at, repair.consent_by = at, resident_name.strip()
    repair.save(update_fields=["consent_at", "consent_by"])
    RepairEvent.record(
        repair,
        action="consent",
        actor=actor,
        at=at,
        data={"resident": resident_name.strip(), "amount": str(repair.quoted_amount)},
    )
    return repair


@transaction.atomic
def repair_start(*, repair_id: int, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if repair.status == Repair.Status.IN_PROGRESS:
        return repair
    if repair.chargeable and not repair.consent_at:
        raise InvalidTransition(
            _("Paid work starts only after the resident has agreed to the quoted price.")
        )
    move(repair, Repair.Status.IN_PROGRESS, actor=actor, at=at, action="started")
    repair.started_at = repair.started_at or at
    fields = ["status", "started_at"]
    if repair.arrived_at is None:  # resumed straight into work: being there is arriving
        repair.arrived_at = at
        fields.append("arrived_at")
        deadline_meet(subject=repair, kind=rules.ARRIVAL, at=at)
    repair.save(update_fields=fields)
    return repair


@transaction.atomic
def repair_complete(
    *,
    repair_id: int,
    actor,
    labour_minutes: int,
    materials: str = "",
    signed_by: str = "",
    fee: Decimal | None = None,
    at=None,
) -> Repair:
    """Work done and tested in front of the resident: stops the completion clock and starts the
    48-hour callback clock."""
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if repair.status == Repair.Status.COMPLETED:
        return repair
    if labour_minutes is None or labour_minutes < 0:
        raise ValidationError({"labour_minutes": _("Record the labour time in minutes.")})
    if not signed_by.strip():
        raise ValidationError(
            {"signed_by": _("The resident signs the service form: enter who signed.")}
        )
    if repair.chargeable:
        fee = repair.quoted_amount if fee is None else Decimal(fee)
        if fee > repair.quoted_amount:
            raise ValidationError({"fee": _("The fee cannot be more than the agreed quote.")})
    elif fee:
        raise ValidationError({"fee": _("This job was not quoted as paid work.")})
    move(
        repair,
        Repair.Status.COMPLETED,
        actor=actor,
        at=at,
        action="completed",
        data={"labour_minutes": labour_minutes, "fee": str(fee) if fee is not None else None},
    )
    repair.completed_at, repair.labour_minutes = at, labour_minutes
    repair.materials, repair.signed_by, repair.fee = materials.strip(), signed_by.strip(), fee
    repair.save(
        update_fields=["status", "completed_at", "labour_minutes", "materials", "signed_by", "fee"]
    )
    deadline_meet(subject=repair, kind=rules.COMPLETION, at=at)
    for pending in repair.second_handlings.filter(done_at__isnull=True):
        second_handlings.do_finish_second_handling(
            second_handlings.lock_second_handling(pending.pk),
            outcome=_("Rework completed."),
            actor=actor,
            at=at,
            rework=True,
        )
    settings_row = repair.estate.service_settings
    callback_deadline = deadline_open(
        subject=repair,
        estate=repair.estate,
        kind=rules.CALLBACK,
        started_at=at,
        rule=rules.callback_rule(settings=settings_row),
        now=at,
    )
    caller = staff_of(repair.estate, Role.AREA_ADMIN).first()
    Callback.objects.get_or_create(
        repair=repair,
        status=Callback.Status.PENDING,
        defaults={
            "estate": repair.estate,
            "due_at": callback_deadline.due_at,
            "assigned_to": caller,
        },
    )
    # Higher apps act on a finished job in this transaction (fees charges paid work, once).
    for hook in registry.hooks_for("repair.completed"):
        hook(repair=repair, actor=actor)
    return repair


@transaction.atomic
def repair_hold(*, repair_id: int, reason: str, until: dt.datetime, actor, at=None) -> Repair:
    """Not finished (or not reachable) now: record why and the new time agreed with the resident;
    the open clocks move to that time."""
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the repair is on hold.")})
    if until is None or until <= at:
        raise ValidationError({"until": _("Agree a new time in the future with the resident.")})
    previous = repair.status
    move(
        repair,
        Repair.Status.ON_HOLD,
        actor=actor,
        at=at,
        action="on_hold",
        note=reason,
        data={"until": until.isoformat(), "resume_to": previous},
    )
    repair.hold_reason, repair.hold_until = reason.strip(), until
    repair.save(update_fields=["status", "hold_reason", "hold_until"])
    for deadline in (
        Deadline.objects.for_subject(repair)
        .open()
        .filter(kind__in=[rules.ARRIVAL, rules.COMPLETION])
    ):
        if not deadline.breached_at and deadline.due_at < until:
            deadline_reschedule(
                deadline=deadline, rule={"unit": "at", "due_at": until.isoformat()}, now=at
            )
    return repair


@transaction.atomic
def repair_resume(*, repair_id: int, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_on_site(actor, repair)
    if repair.status != Repair.Status.ON_HOLD:
        return repair
    last = repair.events.filter(action="on_hold").order_by("-at", "-id").first()
    back_to = (last.data.get("resume_to") if last else None) or Repair.Status.DISPATCHED
    if back_to not in Repair.TRANSITIONS[Repair.Status.ON_HOLD]:
        back_to = Repair.Status.DISPATCHED if repair.technician_id else Repair.Status.RECEIVED
    if back_to == Repair.Status.RECEIVED:
        raise InvalidTransition(_("Dispatch a technician to take the repair off hold."))
    move(repair, back_to, actor=actor, at=at, action="resumed")
    repair.save(update_fields=["status"])
    return repair
