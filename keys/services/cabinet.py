"""Registering keys into the cabinet and moving them between slots (docs/domain.md, Keys)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keys.models import Key, KeyEvent, coded
from keys.services.common import (
    NOT_ALLOWED,
    check_count,
    check_slot_free,
    check_tag,
    create_key,
    lock_key,
    next_tag,
    record_event,
    save_key_slot,
)
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Unit
from propserv.roles import KEY_DESK


@transaction.atomic
def key_register(
    *,
    estate,
    kind: str,
    count,
    slot: str,
    actor,
    at: dt.datetime | None = None,
    unit: Unit | None = None,
    area: str = "",
    tag_code: str = "",
    description: str = "",
    reason: str = "",
) -> Key:
    """Put a developer-handed or common-area key into the cabinet. Idempotent on the tag code."""
    check_actor(actor, estate=estate, roles=KEY_DESK, message=NOT_ALLOWED)
    at = at or timezone.now()
    area = (area or "").strip()
    if kind == Key.Kind.COMMON:
        if not area or unit is not None:
            raise ValidationError({"area": _("Name the common area this key opens.")})
    elif kind == Key.Kind.DEVELOPER:
        if unit is None:
            raise ValidationError({"unit": _("Choose the unit this key opens.")})
        if unit.estate_id != estate.pk:
            raise ValidationError({"unit": _("The unit is not in this estate.")})
        area = ""
    else:
        raise ValidationError(
            {"kind": _("Owner-entrusted keys are taken in through an entrustment.")}
        )
    count = check_count(count)
    tag_code = check_tag(tag_code, "tag_code")
    if tag_code:
        existing = Key.objects.filter(estate=estate, tag_code=tag_code).first()
        if existing is not None:
            if existing.unit_id == (unit.pk if unit else None) and existing.area == area:
                return existing  # already registered
            raise ValidationError({"tag_code": _("This tag code is already in use.")})
    slot = check_slot_free(estate, slot)
    key = create_key(
        estate=estate,
        tag_code=tag_code or next_tag(estate, unit),
        unit=unit,
        area=area,
        kind=kind,
        description=description.strip(),
        count=count,
        in_cabinet_count=count,
        slot=slot,
        state=Key.State.IN_CABINET,
        registered_at=at,
        registered_by=actor,
    )
    reason = (reason or "").strip()
    record_event(
        key,
        KeyEvent.Kind.REGISTERED,
        at=at,
        actor=actor,
        source=coded("developer") if kind == Key.Kind.DEVELOPER else None,
        target=coded("slot", slot=slot),
        why=None if reason else coded("registered"),
        reason=reason,
        count=count,
        slot=slot,
    )
    return key


@transaction.atomic
def key_move(*, key: Key, slot: str, actor, reason: str = "", at: dt.datetime | None = None) -> Key:
    key = lock_key(key)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    at = at or timezone.now()
    if key.state not in (Key.State.IN_CABINET, Key.State.ON_LOAN):
        raise InvalidTransition(_("Only a key kept in the cabinet has a slot to move."))
    new = (slot or "").strip().upper()
    if new == key.slot:
        return key
    new = check_slot_free(key.estate, new, exclude=key)
    old = key.slot
    key.slot = new
    save_key_slot(key, ["slot"])
    record_event(
        key,
        KeyEvent.Kind.MOVED,
        at=at,
        actor=actor,
        from_party=old,
        to_party=new,
        reason=reason,
        slot=new,
    )
    return key
