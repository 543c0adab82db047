"""Owner entrustment (业主留钥匙登记表): intake at the front desk, hand-over to the area
administrator, the confirmation call, and the return to the owner (docs/domain.md, Keys)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keys.models import Entrustment, Key, KeyEvent, KeyIncident, OwnerCall, coded
from keys.services.common import (
    NOT_ALLOWED,
    check_count,
    check_id_last4,
    check_phone,
    check_slot_free,
    create_key,
    lock_key,
    next_tag,
    person,
    record_event,
    save_key_slot,
)
from propserv.access import check_actor, may
from propserv.errors import InvalidTransition
from propserv.models import Resident
from propserv.roles import DESK, KEY_CUSTODIANS, KEY_DESK

INTAKE_REPEAT_WINDOW = dt.timedelta(minutes=10)  # a repeated intake within this is a double submit
CALL_VALID_FOR = dt.timedelta(hours=24)


def waiver_text() -> str:
    """The waiver the owner signs, stored in the office's language as it was shown."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "The management office keeps this key at the owner's request and takes no "
            "responsibility for any property inside the unit."
        )


@transaction.atomic
def entrustment_intake(
    *,
    owner: Resident,
    count,
    reason: str,
    owner_id_last4: str,
    identity_checked: bool,
    waiver_accepted: bool,
    actor,
    at: dt.datetime | None = None,
    description: str = "",
) -> Entrustment:
    """The owner leaves keys at the front desk (业主留钥匙登记表)."""
    estate = owner.estate
    check_actor(actor, estate=estate, roles=KEY_DESK, message=NOT_ALLOWED)
    at = at or timezone.now()
    if owner.role != Resident.Role.OWNER:
        raise ValidationError({"owner": _("Only the owner may entrust the keys of a unit.")})
    if not identity_checked:
        raise ValidationError({"identity_checked": _("Check the owner's identity first.")})
    if not waiver_accepted:
        raise ValidationError(
            {"waiver_accepted": _("The owner must sign the waiver before we keep the key.")}
        )
    id_last4 = check_id_last4(owner_id_last4, "owner_id_last4")
    count = check_count(count)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the owner leaves the key.")})
    # A double submit: the same owner's keys, taken in by the same person a moment ago and still
    # at the desk, are the same entrustment. The owner's row is locked so two racing submits
    # queue here.
    Resident.objects.select_for_update().filter(pk=owner.pk).first()
    recent = (
        Entrustment.objects.filter(
            owner=owner,
            received_by=actor,
            received_at__gte=at - INTAKE_REPEAT_WINDOW,
            received_at__lte=at,
            key__unit=owner.unit,
            key__state=Key.State.AT_DESK,
            key__count=count,
            key__description=description.strip(),
            reason=reason.strip(),
        )
        .select_related("key")
        .order_by("-received_at", "-pk")
        .first()
    )
    if recent is not None:
        return recent
    key = create_key(
        estate=estate,
        tag_code=next_tag(estate, owner.unit),
        unit=owner.unit,
        kind=Key.Kind.ENTRUSTED,
        description=description.strip(),
        count=count,
        in_cabinet_count=0,
        state=Key.State.AT_DESK,
        owner=owner,
        registered_at=at,
        registered_by=actor,
    )
    entrustment = Entrustment.objects.create(
        estate=estate,
        key=key,
        owner=owner,
        owner_id_last4=id_last4,
        identity_checked=True,
        reason=reason.strip(),
        waiver_accepted=True,
        waiver_text=waiver_text(),
        received_at=at,
        received_by=actor,
    )
    record_event(
        key,
        KeyEvent.Kind.ENTRUSTED,
        at=at,
        actor=actor,
        source=coded("owner", name=owner.name),
        target=coded("front_desk_person", name=person(actor)),
        reason=reason.strip(),
        count=count,
    )
    return entrustment


@transaction.atomic
def entrustment_handover(
    *,
    entrustment: Entrustment,
    handed_by,
    handed_to,
    slot: str,
    actor,
    at: dt.datetime | None = None,
) -> Entrustment:
    """The front desk hands the entrusted key to the area administrator; both are named."""
    key = lock_key(entrustment.key_id)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    entrustment = Entrustment.objects.select_for_update().get(pk=entrustment.pk)
    if entrustment.handed_over_at:
        return entrustment
    estate = key.estate
    at = at or timezone.now()
    if key.state != Key.State.AT_DESK:
        raise InvalidTransition(_("This key is no longer at the front desk."))
    if not may(handed_by, estate, DESK):
        raise ValidationError(
            {"handed_by": _("Choose the front-desk receptionist handing it over.")}
        )
    if not may(handed_to, estate, KEY_CUSTODIANS):
        raise ValidationError({"handed_to": _("Choose the area administrator receiving the key.")})
    if handed_by.pk == handed_to.pk:
        raise ValidationError({"handed_to": _("The key must pass between two different people.")})
    slot = check_slot_free(estate, slot)
    key.state, key.in_cabinet_count, key.slot = Key.State.IN_CABINET, key.count, slot
    save_key_slot(key, ["state", "in_cabinet_count", "slot"])
    entrustment.handed_over_at, entrustment.handed_by, entrustment.handed_to = (
        at,
        handed_by,
        handed_to,
    )
    entrustment.save(update_fields=["handed_over_at", "handed_by", "handed_to"])
    record_event(
        key,
        KeyEvent.Kind.HANDED_OVER,
        at=at,
        actor=actor,
        source=coded("front_desk_person", name=person(handed_by)),
        target=coded("area_admin_person", name=person(handed_to)),
        why=coded("into_slot", slot=slot),
        count=key.count,
        slot=slot,
    )
    return entrustment


@transaction.atomic
def owner_call_log(
    *,
    key: Key,
    phone: str,
    confirmed: bool,
    collector_name: str,
    actor,
    note: str = "",
    at: dt.datetime | None = None,
) -> OwnerCall:
    """Log the call to the owner about someone else collecting the key (whatever the answer)."""
    key = lock_key(key)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    at = at or timezone.now()
    if key.kind != Key.Kind.ENTRUSTED or key.owner_id is None:
        raise InvalidTransition(_("Only an owner-entrusted key is returned to its owner."))
    phone = check_phone(phone, "phone")
    collector_name = (collector_name or "").strip()
    if not collector_name:
        raise ValidationError({"collector_name": _("Name the person who will collect the key.")})
    call = OwnerCall.objects.create(
        estate_id=key.estate_id,
        key=key,
        owner=key.owner,
        phone=phone,
        called_at=at,
        called_by=actor,
        confirmed=bool(confirmed),
        collector_name=collector_name,
        note=note.strip(),
    )
    record_event(
        key,
        KeyEvent.Kind.OWNER_CALL,
        at=at,
        actor=actor,
        source=coded("owner", name=key.owner.name),
        to_party=collector_name,
        why=coded("owner_confirmed" if confirmed else "owner_not_confirmed"),
        reason=note.strip(),
    )
    return call


def _check_call(call: OwnerCall, key: Key, collector_name: str, at) -> OwnerCall:
    """The logged call that lets someone other than the owner collect `key` now."""
    call = OwnerCall.objects.select_for_update().get(pk=call.pk)
    if call.key_id != key.pk:
        raise ValidationError({"call": _("That call was about another key.")})
    if not call.confirmed:
        raise ValidationError({"call": _("The owner did not confirm on that call.")})
    if at - call.called_at > CALL_VALID_FOR or call.called_at > at + dt.timedelta(minutes=5):
        raise ValidationError(
            {"call": _("That call is more than a day old; phone the owner again.")}
        )
    if call.collector_name.strip().lower() != collector_name.lower():
        raise ValidationError(
            {
                "collector_name": _("The owner named %(name)s on the call.")
                % {"name": call.collector_name}
            }
        )
    if hasattr(call, "release"):
        raise ValidationError({"call": _("That call was already used for a collection.")})
    return call


@transaction.atomic
def entrustment_release(
    *,
    entrustment: Entrustment,
    collector_is_owner: bool,
    collector_name: str,
    collector_id_last4: str,
    identity_checked: bool,
    actor,
    call: OwnerCall | None = None,
    at: dt.datetime | None = None,
) -> Entrustment:
    """Return an entrusted key. Someone other than the owner needs a confirmed, logged call."""
    key = lock_key(entrustment.key_id)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    entrustment = (
        Entrustment.objects.select_for_update().select_related("owner").get(pk=entrustment.pk)
    )
    if entrustment.released_at:
        return entrustment
    at = at or timezone.now()
    if key.state == Key.State.ON_LOAN:
        loan = key.open_loan()
        raise InvalidTransition(
            _(
                "The key is out on loan to %(name)s; it must be back before it is returned to the owner."
            )
            % {"name": loan.borrower_name if loan else "?"}
        )
    if key.state not in (Key.State.IN_CABINET, Key.State.AT_DESK):
        raise InvalidTransition(
            _("This key is %(state)s and cannot be returned.") % {"state": key.get_state_display()}
        )
    if key.incidents.exclude(status=KeyIncident.Status.CLOSED).exists():
        raise InvalidTransition(_("This key has an open lost or damaged report."))
    if not identity_checked:
        raise ValidationError({"identity_checked": _("Check the collector's identity first.")})
    id_last4 = check_id_last4(collector_id_last4, "collector_id_last4")
    collector_name = (collector_name or "").strip()
    if collector_is_owner:
        collector_name = collector_name or entrustment.owner.name
        call = None
    else:
        if not collector_name:
            raise ValidationError({"collector_name": _("Name the person collecting the key.")})
        if call is None:
            raise ValidationError(
                {
                    "call": _(
                        "Someone other than the owner is collecting: phone the owner and log the call first."
                    )
                }
            )
        call = _check_call(call, key, collector_name, at)
    entrustment.released_at = at
    entrustment.released_by = actor
    entrustment.collector_is_owner = bool(collector_is_owner)
    entrustment.collector_name = collector_name
    entrustment.collector_id_last4 = id_last4
    entrustment.release_call = call
    entrustment.save(
        update_fields=[
            "released_at",
            "released_by",
            "collector_is_owner",
            "collector_name",
            "collector_id_last4",
            "release_call",
        ]
    )
    slot = key.slot
    key.state, key.in_cabinet_count = Key.State.RETURNED_TO_OWNER, 0
    key.save(update_fields=["state", "in_cabinet_count"])
    record_event(
        key,
        KeyEvent.Kind.RETURNED_TO_OWNER,
        at=at,
        actor=actor,
        source=coded("slot", slot=slot) if slot else coded("front_desk"),
        target=(
            coded("owner", name=collector_name)
            if collector_is_owner
            else coded("collector_for_owner", name=collector_name)
        ),
        why=coded("identity_checked", last4=id_last4),
        count=key.count,
    )
    return entrustment
