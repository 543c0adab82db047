"""Goods release slips (物品放行条): issued by the office, valid once, on their day; the gate
scans the QR code and lets the goods through (docs/domain.md, "Goods release")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import GoodsRelease
from inspections.services.common import NOT_ALLOWED, now_or
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Estate, Unit
from propserv.roles import RENOVATION_DESK, RENOVATION_VIEWERS


@transaction.atomic
def release_issue(
    *,
    unit: Unit,
    carrier_kind: str,
    carrier_name: str,
    goods: str,
    quantity: int,
    vehicle: str = "",
    valid_on: dt.date,
    actor,
    at: dt.datetime | None = None,
) -> GoodsRelease:
    check_actor(actor, estate=unit.estate_id, roles=RENOVATION_DESK, message=NOT_ALLOWED)
    at = now_or(at)
    if carrier_kind not in GoodsRelease.Carrier.values:
        raise ValidationError({"carrier_kind": _("Say who carries the goods out.")})
    if not (carrier_name or "").strip():
        raise ValidationError(
            {"carrier_name": _("Enter the name of the person carrying the goods.")}
        )
    if not (goods or "").strip():
        raise ValidationError({"goods": _("Say what is carried out.")})
    if not quantity or int(quantity) < 1:
        raise ValidationError({"quantity": _("The quantity must be at least 1.")})
    if valid_on < timezone.localtime(at).date():
        raise ValidationError({"valid_on": _("The day has already passed.")})
    Estate.objects.select_for_update().filter(pk=unit.estate_id).first()
    prefix = f"FX{valid_on:%Y%m%d}-"
    sequence = (
        GoodsRelease.objects.filter(number__startswith=prefix, estate_id=unit.estate_id).count() + 1
    )
    return GoodsRelease.objects.create(
        estate_id=unit.estate_id,
        number=f"{prefix}{unit.estate_id}-{sequence:03d}",
        unit=unit,
        carrier_kind=carrier_kind,
        carrier_name=carrier_name.strip(),
        goods=goods.strip(),
        quantity=int(quantity),
        vehicle=(vehicle or "").strip().upper(),
        valid_on=valid_on,
        issued_at=at,
        issued_by=actor,
    )


def release_state(release: GoodsRelease, now: dt.datetime) -> str:
    """valid / used / wrong_day, as the gate shows it."""
    if release.used_at is not None:
        return "used"
    if release.valid_on != timezone.localtime(now).date():
        return "wrong_day"
    return "valid"


@transaction.atomic
def release_use(*, release: GoodsRelease, actor, at: dt.datetime | None = None) -> GoodsRelease:
    """The gate lets the goods through: once, on the slip's day."""
    check_actor(actor, estate=release.estate_id, roles=RENOVATION_VIEWERS, message=NOT_ALLOWED)
    at = now_or(at)
    release = GoodsRelease.objects.select_for_update().get(pk=release.pk)
    state = release_state(release, at)
    if state == "used":
        raise InvalidTransition(
            _("Slip %(number)s was already used at %(time)s.")
            % {
                "number": release.number,
                "time": timezone.localtime(release.used_at).strftime("%m-%d %H:%M"),
            },
            code="release_used",
        )
    if state == "wrong_day":
        raise InvalidTransition(
            _("Slip %(number)s is valid only on %(day)s.")
            % {"number": release.number, "day": release.valid_on.isoformat()},
            code="release_wrong_day",
        )
    release.used_at, release.used_by = at, actor
    release.save(update_fields=["used_at", "used_by"])
    return release
