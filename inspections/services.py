"""Writes of the inspections module (DESIGN.md: one service per change, explicit actor)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import UnitHandover
from propserv.models import Resident, Unit


@transaction.atomic
def unit_handover_record(*, unit: Unit, owner: Resident, at: dt.datetime, actor) -> UnitHandover:
    """Record that `unit` was handed over to `owner`; idempotent for the same owner."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if owner.unit_id != unit.pk or owner.role != Resident.Role.OWNER:
        raise ValidationError(
            {
                "owner": _("The hand-over must name an owner registered for unit %(unit)s.")
                % {"unit": unit.code}
            }
        )
    existing = UnitHandover.objects.filter(unit=unit).first()
    if existing is not None:
        if existing.owner_id != owner.pk:
            raise ValidationError(
                _("Unit %(unit)s was already handed over to %(owner)s.")
                % {"unit": unit.code, "owner": existing.owner.name}
            )
        return existing
    return UnitHandover.objects.create(unit=unit, owner=owner, handed_over_at=at, recorded_by=actor)
