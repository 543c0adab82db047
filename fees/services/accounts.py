"""Who pays for a unit (docs/domain.md, "Fees"): the owner by default; a tenant by agreement,
the owner staying jointly liable; on a change of owner the old owner's balance is settled or
explicitly carried, and the decision recorded."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fees.models import OwnerChange
from fees.services.common import NOT_ALLOWED, balance_of, lock_account
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Resident
from propserv.roles import CASHIERS, FEE_MANAGERS


def payer_set(*, unit, actor, payer: Resident | None = None, agreement: str = ""):
    """Name a tenant (or other resident of the unit) as payer by agreement; None: the owner."""
    check_actor(actor, estate=unit.estate, roles=CASHIERS | FEE_MANAGERS, message=NOT_ALLOWED)
    agreement = (agreement or "").strip()
    if payer is not None and payer.unit_id != unit.pk:
        raise ValidationError({"payer": _("Choose a resident of this unit.")})
    if payer is not None and not agreement:
        raise ValidationError(
            {"agreement": _("Note the agreement that makes this resident the payer.")}
        )
    with transaction.atomic():
        account = lock_account(unit)
        account.payer, account.agreement = payer, agreement[:200] if payer else ""
        account.save(update_fields=["payer", "agreement"])
    return account


def owner_change(
    *, unit, old_owner: str, new_owner: str, decision: str, actor, note: str = "", at=None
):
    """Record a change of owner. "settled" needs nothing owed; a balance still owed is only
    carried to the new owner when that is the explicit decision."""
    check_actor(actor, estate=unit.estate, roles=FEE_MANAGERS | CASHIERS, message=NOT_ALLOWED)
    if decision not in OwnerChange.Decision.values:
        raise ValidationError(
            {"decision": _("Choose whether the balance was settled or is carried.")}
        )
    if not (old_owner or "").strip() or not (new_owner or "").strip():
        raise ValidationError({"new_owner": _("Name the old and the new owner.")})
    with transaction.atomic():
        account = lock_account(unit)
        owed = balance_of(unit)
        if decision == OwnerChange.Decision.SETTLED and owed > 0:
            raise InvalidTransition(
                _("¥%(owed)s is still owed: take the payment first, or carry it explicitly.")
                % {"owed": owed},
                field="decision",
            )
        return OwnerChange.objects.create(
            account=account,
            estate_id=unit.estate_id,
            old_owner=old_owner.strip()[:64],
            new_owner=new_owner.strip()[:64],
            balance=owed,
            decision=decision,
            note=(note or "").strip()[:200],
            by=actor,
            at=at or timezone.now(),
        )
