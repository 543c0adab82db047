"""Rates and charges outside the billing run: setting a tariff, a one-off service charge, a paid
repair's charge (once per repair), cancelling a charge (docs/domain.md, "Fees")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fees import rules
from fees.models import Charge, ChargeItem, LedgerEntry, Tariff
from fees.services.common import NOT_ALLOWED, append, lock_account
from fees.services.payments import apply_credit
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.roles import CASHIERS, FEE_FINANCE, FEE_TARIFF_SETTERS
from tickets.models import Repair

CHARGEABLE_DONE = (Repair.Status.COMPLETED, Repair.Status.CALLED_BACK, Repair.Status.CLOSED)


def _overlap_error(item) -> ValidationError:
    return ValidationError(
        {
            "valid_from": _("Another rate of %(item)s is valid in this period: end it first.")
            % {"item": item}
        }
    )


def tariff_set(
    *,
    item: ChargeItem,
    rate,
    valid_from: dt.date,
    actor,
    valid_to=None,
    use: str = "",
    building=None,
) -> Tariff:
    """A new rate for an item from `valid_from` (until `valid_to`, exclusive). Charges already
    issued keep their amounts. Overlapping another rate of the same item is refused."""
    check_actor(actor, estate=item.estate_id, roles=FEE_TARIFF_SETTERS, message=NOT_ALLOWED)
    rate = rules.check_amount(rate, field="rate", allow_zero=True)
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError({"valid_to": _("The end must come after the start.")})
    if building is not None and building.estate_id != item.estate_id:
        raise ValidationError({"building": _("Choose a building of this estate.")})
    clash = Tariff.objects.filter(
        item=item, use=use, building=building, valid_from__lt=valid_to or dt.date.max
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from))
    if clash.exists():
        raise _overlap_error(item)
    try:
        with transaction.atomic():
            return Tariff.objects.create(
                estate_id=item.estate_id,
                item=item,
                rate=rate,
                valid_from=valid_from,
                valid_to=valid_to,
                use=use,
                building=building,
            )
    except IntegrityError:  # a rate written at the same moment: the exclusion constraint
        raise _overlap_error(item) from None


def charge_add(*, unit, item: ChargeItem, amount, actor, description: str = "", on=None) -> Charge:
    """A one-off charge (a paid service from the price list) on the unit's account."""
    check_actor(actor, estate=unit.estate, roles=FEE_TARIFF_SETTERS, message=NOT_ALLOWED)
    if item.estate_id != unit.estate_id or item.kind != ChargeItem.Kind.ONE_OFF:
        raise ValidationError({"item": _("Choose a one-off item of this estate.")})
    amount = rules.check_amount(amount)
    on = on or timezone.localdate()
    with transaction.atomic():
        lock_account(unit)
        return _create(unit, item, amount, on, description=(description or "").strip()[:200])


def rate_on(item: ChargeItem, unit, on: dt.date):
    """The item's published rate for this unit on `on` (a building's own rate first), or None."""
    found = (
        Tariff.objects.filter(item=item, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .filter(Q(building__isnull=True) | Q(building_id=unit.building_id))
        .order_by("building_id", "-valid_from")
        .first()
    )
    return found.rate if found is not None else None


def charge_at_rate(*, unit, item: ChargeItem, on: dt.date, description: str = "") -> Charge | None:
    """A one-off item billed at its published rate when the event it belongs to happens (a unit
    accepted at its move-in). The amount is the tariff's, never the actor's, so whoever may
    complete that event bills it — as completing a paid repair bills the repair; the caller
    checks its actor and holds the event's lock so the charge is made once. None without a
    rate on `on` (nothing to bill)."""
    if item.estate_id != unit.estate_id or item.kind != ChargeItem.Kind.ONE_OFF:
        raise ValidationError({"item": _("Choose a one-off item of this estate.")})
    rate = rate_on(item, unit, on)
    if not rate:
        return None
    with transaction.atomic():
        lock_account(unit)
        return _create(unit, item, rules.check_amount(rate), on, description=description[:200])


def _create(unit, item, amount, on, **fields) -> Charge:
    charge = Charge.objects.create(
        estate_id=unit.estate_id,
        unit=unit,
        item=item,
        period=rules.period_of(on),
        due_on=on,
        amount=amount,
        **fields,
    )
    append(unit, LedgerEntry.Kind.CHARGE, amount, at=timezone.now(), charge=charge)
    apply_credit(unit)
    return charge


def repair_item(estate) -> ChargeItem:
    item, _created = ChargeItem.objects.get_or_create(
        estate=estate,
        code="repair",
        defaults={"name": _("Paid repair"), "kind": ChargeItem.Kind.REPAIR},
    )
    return item


def repair_charge(*, repair: Repair, actor) -> Charge | None:
    """The charge of a completed chargeable repair, once (asking again returns the same one).
    None when the repair has no fee to charge."""
    check_actor(
        actor, estate=repair.estate_id, roles=CASHIERS | FEE_TARIFF_SETTERS, message=NOT_ALLOWED
    )
    if repair.status not in CHARGEABLE_DONE:
        raise InvalidTransition(_("Only a completed repair can be charged."))
    return charge_repair_once(repair)


def charge_repair_once(repair: Repair) -> Charge | None:
    if not repair.chargeable or not repair.fee or repair.unit_id is None:
        return None
    with transaction.atomic():
        lock_account(repair.unit)
        existing = Charge.objects.filter(repair=repair).first()
        if existing is not None:
            return existing
        on = (
            timezone.localdate(repair.completed_at) if repair.completed_at else timezone.localdate()
        )
        return _create(
            repair.unit,
            repair_item(repair.estate),
            rules.check_amount(repair.fee),
            on,
            repair=repair,
            description=repair.number,
        )


def on_repair_completed(**context) -> None:
    """The registry hook tickets fires when a repair is completed (or called back):
    a chargeable repair's fee becomes a charge, once. Runs inside tickets' transaction. The
    repair is taken from `repair=` (or whichever keyword carries a Repair)."""
    repair = context.get("repair")
    if not isinstance(repair, Repair):
        repair = next((v for v in context.values() if isinstance(v, Repair)), None)
    if repair is not None and repair.status in CHARGEABLE_DONE:
        charge_repair_once(repair)


# The points of tickets' repair flow at which a paid repair is charged (propserv.registry hooks):
# on completion, and again at the callback in case the first was missed; charging is idempotent.
REPAIR_HOOK_POINTS = ("repair.completed", "repair.called_back")


def charge_completed_repairs() -> int:
    """Beat's sweep: every completed chargeable repair with a fee and no charge yet becomes a
    charge on its unit's account (once: the charge row is unique per repair)."""
    due = Repair.objects.filter(
        chargeable=True,
        fee__gt=0,
        unit__isnull=False,
        status__in=CHARGEABLE_DONE,
        fee_charge__isnull=True,
    ).select_related("unit", "estate")
    count = 0
    for repair in due.order_by("pk").iterator():
        count += charge_repair_once(repair) is not None
    return count


def charge_cancel(*, charge: Charge, actor, reason: str) -> Charge:
    """Cancel a charge issued in error (finance): a cancellation row takes it off the account.
    A charge with payments on it is refused: reverse the payments first."""
    check_actor(actor, estate=charge.estate_id, roles=FEE_FINANCE, message=NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the charge is cancelled.")})
    with transaction.atomic():
        lock_account(charge.unit)
        charge = Charge.objects.select_for_update().get(pk=charge.pk)
        if charge.cancelled_at is not None:
            raise InvalidTransition(_("This charge has already been cancelled."))
        if charge.paid > 0:
            raise InvalidTransition(_("Payments are allocated to this charge: reverse them first."))
        charge.cancelled_at = timezone.now()
        charge.save(update_fields=["cancelled_at"])
        append(
            charge.unit,
            LedgerEntry.Kind.CHARGE_CANCELLED,
            charge.amount,
            at=charge.cancelled_at,
            actor=actor,
            charge=charge,
            note=reason[:200],
        )
    return charge
