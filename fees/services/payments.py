"""Taking payments, reversing them and refunding credit (docs/domain.md, "Fees").

A payment goes to the charges the payer picks, then to the oldest open ones; part of a charge
may be paid; what is left over is held as prepayment credit only when the cashier says so
("keep as credit"), else the payment is refused. Each payment gets the next receipt number of
its estate and year inside its own transaction (gapless). Reversals and refunds are new ledger
rows; nothing written is ever changed in the ledger.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fees import rules
from fees.models import Allocation, Charge, Counter, LedgerEntry, Method, Payment
from fees.services.arrears import reminder_clock_settle
from fees.services.common import (
    NOT_ALLOWED,
    append,
    in_transaction,
    lock_account,
    next_number,
    refuse_closed_day,
)
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.roles import CASHIERS, FEE_FINANCE

NEEDS_REFERENCE = (Method.TRANSFER, Method.WECHAT, Method.ALIPAY)


def _check_method(method: str, reference: str) -> str:
    if method not in Method.values:
        raise ValidationError({"method": _("Choose how the payer paid.")})
    reference = (reference or "").strip()
    if method in NEEDS_REFERENCE and not reference:
        raise ValidationError(
            {"reference": _("Enter the payer's transaction reference for this method.")}
        )
    return reference


def payment_post(
    *,
    unit,
    amount,
    method: str,
    actor,
    reference: str = "",
    payer_name: str = "",
    picked=(),
    keep_credit: bool = False,
    idempotency_key: str | None = None,
    request_hash: str = "",
    at=None,
) -> Payment:
    """Take a payment for `unit`; returns the payment (with its receipt number). With an
    idempotency key, the same key and body give back the same payment (`replayed` True, decided
    under the account lock, so of two concurrent requests exactly one creates); another body is
    a 409. The cashier's day must still be open."""
    check_actor(actor, estate=unit.estate, roles=CASHIERS, message=NOT_ALLOWED)
    amount = rules.check_amount(amount)
    reference = _check_method(method, reference)
    at = at or timezone.now()
    with transaction.atomic():
        account = lock_account(unit)
        if idempotency_key:
            earlier = Payment.objects.filter(
                estate_id=unit.estate_id, idempotency_key=idempotency_key
            ).first()
            if earlier is not None:
                return _replay(earlier, request_hash)
        refuse_closed_day(unit.estate_id, actor.pk, timezone.localdate(at))
        try:
            with transaction.atomic():
                payment = _post(
                    unit,
                    amount,
                    method,
                    reference,
                    payer_name,
                    list(picked),
                    keep_credit,
                    actor,
                    at,
                    idempotency_key,
                    request_hash,
                )
        except IntegrityError:
            if (
                idempotency_key
                and Payment.objects.filter(
                    estate_id=unit.estate_id, idempotency_key=idempotency_key
                ).exists()
            ):
                raise _key_conflict() from None
            raise
        if payment.paid_up:  # nothing past due is left: no more reminders (fees.sla)
            reminder_clock_settle(account, at)
    return payment


def _replay(earlier: Payment, request_hash: str) -> Payment:
    if earlier.request_hash != request_hash:
        raise _key_conflict()
    earlier.replayed = True
    return earlier


def _key_conflict() -> InvalidTransition:
    return InvalidTransition(
        _("This idempotency key was already used for a different payment."),
        code="idempotency_key_reused",
    )


def _post(unit, amount, method, reference, payer_name, picked, keep_credit, actor, at, key, digest):
    in_transaction()
    open_charges = list(
        Charge.objects.open()
        .filter(unit=unit)
        .order_by("due_on", "id")
        .values_list("id", "amount", "paid", "due_on")
    )
    by_id = {cid: amt - paid for cid, amt, paid, _due in open_charges}
    unknown = [c for c in picked if c not in by_id]
    if unknown:
        raise ValidationError({"charges": _("Pick only open charges of this unit.")})
    plan, left = rules.allocation_plan(list(by_id.items()), amount, picked)
    if left > 0 and not keep_credit:
        owed = sum(by_id.values(), Decimal(0))
        raise ValidationError(
            {
                "amount": _(
                    "The payment is ¥%(extra)s more than the open charges (¥%(owed)s). "
                    "Tick “keep as credit” to hold the rest as a prepayment."
                )
                % {"extra": left, "owed": owed}
            }
        )
    year = timezone.localtime(at).year
    payment = Payment.objects.create(
        estate=unit.estate,
        unit=unit,
        amount=amount,
        unapplied=left,
        method=method,
        reference=reference,
        payer_name=(payer_name or "").strip()[:64],
        receipt_year=year,
        receipt_seq=next_number(unit.estate, Counter.Kind.RECEIPT, year),
        taken_by=actor,
        taken_at=at,
        idempotency_key=key or None,
        request_hash=digest or "",
    )
    payment.replayed = False
    # Whether this payment leaves the unit with nothing past due (when it owed something).
    today = timezone.localdate(at)
    past_due = {cid for cid, _amt, _paid, due in open_charges if due < today}
    covered = {cid for cid, part in plan if part == by_id[cid]}
    payment.paid_up = bool(past_due) and past_due <= covered
    # A new payment's allocations are all it has: the API's answer reads them without a query.
    payment._prefetched_objects_cache = {"allocations": _allocate(payment, plan)}
    append(
        unit,
        LedgerEntry.Kind.PAYMENT,
        amount,
        at=at,
        actor=actor,
        payment=payment,
        method=method,
        reference=reference,
    )
    return payment


def _allocate(payment: Payment, plan) -> list[Allocation]:
    allocations = Allocation.objects.bulk_create(
        [Allocation(payment=payment, charge_id=cid, amount=part) for cid, part in plan]
    )
    for cid, part in plan:
        Charge.objects.filter(pk=cid).update(paid=F("paid") + part)
    return allocations


def apply_credit(unit) -> None:
    """Use the unit's held credit (oldest payment first) on its open charges (oldest first);
    called after new charges are issued, inside the caller's transaction (account locked)."""
    in_transaction()
    credits = list(
        Payment.objects.filter(unit=unit, reversed_at__isnull=True, unapplied__gt=0).order_by(
            "taken_at", "id"
        )
    )
    for payment in credits:
        open_charges = list(
            Charge.objects.open()
            .filter(unit=unit)
            .order_by("due_on", "id")
            .values_list("id", "amount", "paid")
        )
        if not open_charges:
            return
        plan, left = rules.allocation_plan(
            [(cid, amt - paid) for cid, amt, paid in open_charges], payment.unapplied
        )
        _allocate(payment, plan)
        payment.unapplied = left
        payment.save(update_fields=["unapplied"])


def payment_reverse(*, payment: Payment, actor, reason: str, at=None) -> Payment:
    """Undo a payment taken in error (finance): its allocations stop counting, its credit still
    held goes, and a reversal row puts the amount back on the account. The receipt number stays
    used (a voided receipt), so numbering keeps no gaps. The reversal counts on the day it is
    made, in the takings of whoever makes it (that day must still be open); a closed day keeps
    its figures."""
    check_actor(actor, estate=payment.estate_id, roles=FEE_FINANCE, message=NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    at = at or timezone.now()
    with transaction.atomic():
        lock_account(payment.unit)
        refuse_closed_day(payment.estate_id, actor.pk, timezone.localdate(at))
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.reversed_at is not None:
            raise InvalidTransition(_("This payment has already been reversed."))
        allocations = list(payment.allocations.all())
        back = sum((a.amount for a in allocations), Decimal(0)) + payment.unapplied
        if back <= 0:
            raise InvalidTransition(_("This payment's credit was refunded: nothing to reverse."))
        for allocation in allocations:
            Charge.objects.filter(pk=allocation.charge_id).update(
                paid=F("paid") - allocation.amount
            )
        payment.unapplied = Decimal("0.00")
        payment.reversed_at, payment.reversed_by, payment.reversal_reason = at, actor, reason[:200]
        payment.save(update_fields=["unapplied", "reversed_at", "reversed_by", "reversal_reason"])
        append(
            payment.unit,
            LedgerEntry.Kind.PAYMENT_REVERSED,
            back,
            at=at,
            actor=actor,
            payment=payment,
            note=reason[:200],
        )
        apply_credit(payment.unit)
    return payment


def credit_of(unit) -> Decimal:
    total = Payment.objects.filter(unit=unit, reversed_at__isnull=True).aggregate(
        s=Sum("unapplied")
    )["s"]
    return total or Decimal("0.00")


def credit_refund(
    *, unit, amount, method: str, actor, reference: str = "", reason: str = "", at=None
):
    """Pay held credit back to the payer (finance); the credit is taken from the oldest
    payments first. Returns the ledger row."""
    check_actor(actor, estate=unit.estate, roles=FEE_FINANCE, message=NOT_ALLOWED)
    amount = rules.check_amount(amount)
    reference = _check_method(method, reference)
    at = at or timezone.now()
    with transaction.atomic():
        lock_account(unit)
        refuse_closed_day(unit.estate_id, actor.pk, timezone.localdate(at))
        held = credit_of(unit)
        if amount > held:
            raise ValidationError(
                {"amount": _("Only ¥%(held)s of credit is held for this unit.") % {"held": held}}
            )
        left = amount
        for payment in Payment.objects.filter(
            unit=unit, reversed_at__isnull=True, unapplied__gt=0
        ).order_by("taken_at", "id"):
            take = min(left, payment.unapplied)
            payment.unapplied -= take
            payment.refunded += take
            payment.save(update_fields=["unapplied", "refunded"])
            left -= take
            if left <= 0:
                break
        return append(
            unit,
            LedgerEntry.Kind.REFUND,
            amount,
            at=at,
            actor=actor,
            method=method,
            reference=reference,
            note=(reason or "").strip()[:200],
        )
