"""Move-in keys: the developer keys handed to the new owner with a two-copy receipt
(docs/domain.md, Keys; "Hand-over and move-in").

Whether the unit may receive its keys yet is not keys' to decide: the apps above register a gate
at "unit.move_in" (the hand-over record, in inspections) and this service runs every gate first.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keys.models import Key, KeyEvent, KeyReceipt, KeyReceiptLine, coded
from keys.services.common import NOT_ALLOWED, check_id_last4, lock_key, record_event
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Resident, Unit
from propserv.registry import registry
from propserv.roles import KEY_DESK

MOVE_IN_GATE = "unit.move_in"


def move_in_refusals(unit: Unit) -> list[str]:
    """What the registered gates say against issuing `unit`'s move-in keys now (empty: go)."""
    refusals = []
    for check in registry.gates_for(MOVE_IN_GATE):
        try:
            check(unit)
        except InvalidTransition as exc:
            refusals.append(str(exc.message))
        except ValidationError as exc:
            refusals.extend(exc.messages)
    return refusals


def check_move_in_gates(unit: Unit) -> None:
    """Run every gate at "unit.move_in"; the first refusal propagates."""
    for check in registry.gates_for(MOVE_IN_GATE):
        check(unit)


@transaction.atomic
def keys_issue_to_owner(
    *,
    unit: Unit,
    owner: Resident,
    keys: list[Key],
    owner_id_last4: str,
    identity_checked: bool,
    actor,
    at: dt.datetime | None = None,
) -> KeyReceipt:
    """Hand the developer keys to the new owner at move-in, with a two-copy receipt."""
    check_actor(actor, estate=unit.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    at = at or timezone.now()
    if not keys:
        raise ValidationError({"keys": _("Choose the keys to hand over.")})
    locked = [lock_key(k) for k in sorted(keys, key=lambda k: k.pk)]
    receipts = {getattr(k, "receipt_line", None) and k.receipt_line.receipt_id for k in locked}
    if len(receipts) == 1 and None not in receipts:
        return KeyReceipt.objects.get(pk=receipts.pop())  # already issued together
    check_move_in_gates(unit)
    if owner.unit_id != unit.pk or owner.role != Resident.Role.OWNER:
        raise ValidationError({"owner": _("Choose an owner registered for this unit.")})
    if not identity_checked:
        raise ValidationError({"identity_checked": _("Check the owner's identity first.")})
    id_last4 = check_id_last4(owner_id_last4, "owner_id_last4")
    for key in locked:
        if key.unit_id != unit.pk or key.kind != Key.Kind.DEVELOPER:
            raise ValidationError(
                {
                    "keys": _("Key %(tag)s is not a developer key of this unit.")
                    % {"tag": key.tag_code}
                }
            )
        if key.state != Key.State.IN_CABINET:
            raise InvalidTransition(
                _("Key %(tag)s is %(state)s, not in the cabinet.")
                % {"tag": key.tag_code, "state": key.get_state_display()}
            )
        if key.loans.filter(closed_at__isnull=True).exists():
            raise InvalidTransition(
                _("Key %(tag)s still has an open loan.") % {"tag": key.tag_code}
            )
    receipt = KeyReceipt.objects.create(
        estate_id=unit.estate_id,
        unit=unit,
        owner=owner,
        owner_id_last4=id_last4,
        issued_at=at,
        issued_by=actor,
    )
    for key in locked:
        KeyReceiptLine.objects.create(receipt=receipt, key=key, count=key.count)
        key.state, key.in_cabinet_count = Key.State.RETURNED_TO_OWNER, 0
        key.save(update_fields=["state", "in_cabinet_count"])
        record_event(
            key,
            KeyEvent.Kind.ISSUED_TO_OWNER,
            at=at,
            actor=actor,
            source=coded("slot", slot=key.slot),
            target=coded("owner", name=owner.name),
            why=coded("move_in_receipt", number=receipt.number),
            count=key.count,
        )
    return receipt
