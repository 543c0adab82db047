"""Writes of the inspections module (docs/architecture.md, "A request that changes
something": one service per change, explicit actor), and the move-in gate it answers for the key
cabinet (docs/domain.md, "Hand-over and move-in": move-in keys only after the hand-over
formalities)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import UnitHandover
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Resident, Unit
from propserv.roles import DESK


@transaction.atomic
def unit_handover_record(*, unit: Unit, owner: Resident, at: dt.datetime, actor) -> UnitHandover:
    """Record that `unit` was handed over to `owner`; idempotent for the same owner."""
    check_actor(actor, estate=unit.estate_id, roles=DESK)
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


def unit_move_in_gate(unit: Unit) -> None:
    """The gate at "unit.move_in" (registered in apps.py): the key cabinet issues move-in keys
    only once the unit's hand-over is recorded."""
    if not UnitHandover.objects.filter(unit=unit).exists():
        raise InvalidTransition(
            _(
                "The hand-over of unit %(unit)s is not recorded yet: move-in keys are issued only after the hand-over formalities."
            )
            % {"unit": unit.code},
            code="not_handed_over",
        )
