"""The gate and the lobby (docs/domain.md, Reception): outside visitors are registered once the
host was called and agreed (访客登记); the lobby desk of a commercial estate keeps the tenant
directory (company → floor and unit); documents and parcels left for residents are logged,
forwarded and collected (代收代送登记)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, may
from propserv.errors import InvalidTransition
from propserv.models import Estate
from propserv.roles import RECEPTION, Role
from visits.models import GateVisitor, OfficeTenant, Parcel

# Who registers visitors and parcels: the desk, and the guard at the gate.
GATE = RECEPTION | frozenset({Role.PATROL})
COMMERCIAL_KINDS = (Estate.Kind.COMMERCIAL, Estate.Kind.MIXED)


def has_directory(estate) -> bool:
    return estate.kind in COMMERCIAL_KINDS


def visitor_allowed_actions(visitor: GateVisitor, user) -> set[str]:
    if visitor.left_at or not may(user, visitor.estate_id, GATE):
        return set()
    return {"leave"}


def parcel_allowed_actions(parcel: Parcel, user) -> set[str]:
    if not may(user, parcel.estate_id, GATE):
        return set()
    return {
        Parcel.Status.HELD: {"forward", "collect"},
        Parcel.Status.FORWARDED: {"collect"},
    }.get(parcel.status, set())


def _destination(estate, unit, company) -> None:
    if unit is None and company is None:
        raise ValidationError({"unit": _("Say which unit or company the visitor is for.")})
    if unit is not None and unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("This unit is not in this estate.")})
    if company is not None and (company.estate_id != estate.pk or not company.active):
        raise ValidationError({"company": _("This company is not in the tenant directory.")})


@transaction.atomic
def directory_add(
    *, estate, actor, company: str, floor: int, unit, reception_phone: str = "", now=None
):
    check_actor(actor, estate=estate, roles=RECEPTION)
    if not has_directory(estate):
        raise ValidationError(_("Only a commercial estate keeps a tenant directory."))
    if unit is None or unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("Choose a unit of this estate.")})
    name = company.strip()
    if not name:
        raise ValidationError({"company": _("Which company?")})
    if OfficeTenant.objects.filter(estate=estate, company__iexact=name, active=True).exists():
        raise ValidationError({"company": _("This company is already in the directory.")})
    tenant = OfficeTenant(
        estate=estate,
        company=name,
        floor=floor,
        unit=unit,
        reception_phone=reception_phone.strip(),
        added_at=now or timezone.now(),
        added_by=actor,
    )
    tenant.full_clean(exclude=["estate", "unit", "added_by"])
    tenant.save()
    return tenant


@transaction.atomic
def directory_remove(*, tenant_id: int, actor) -> OfficeTenant:
    """The company left the building: it stays in the history, out of the lobby's directory."""
    tenant = OfficeTenant.objects.select_for_update().get(pk=tenant_id)
    check_actor(actor, estate=tenant.estate_id, roles=RECEPTION)
    if tenant.active:
        tenant.active = False
        tenant.save(update_fields=["active"])
    return tenant


@transaction.atomic
def visitor_register(
    *,
    estate,
    actor,
    name: str,
    host_name: str,
    host_agreed: bool,
    unit=None,
    company: OfficeTenant | None = None,
    people: int = 1,
    purpose: str = "",
    id_last4: str = "",
    arrived_at=None,
    now=None,
) -> GateVisitor:
    """Register a visitor at the gate. The host is called first: without their agreement the
    visitor is not admitted and nothing is written."""
    check_actor(actor, estate=estate, roles=GATE)
    now = now or timezone.now()
    _destination(estate, unit, company)
    if not name.strip():
        raise ValidationError({"name": _("Who is the visitor?")})
    if not host_name.strip():
        raise ValidationError({"host_name": _("Who did you call?")})
    if not host_agreed:
        raise ValidationError(
            {"host_agreed": _("The host has not agreed: the visitor may not enter.")}
        )
    if people < 1:
        raise ValidationError({"people": _("At least one person.")})
    visitor = GateVisitor(
        estate=estate,
        name=name.strip(),
        id_last4=id_last4.strip().upper()[:4],
        people=people,
        purpose=purpose.strip()[:200],
        unit=unit if unit is not None else (company.unit if company else None),
        company=company,
        host_name=host_name.strip(),
        host_agreed=True,
        arrived_at=arrived_at or now,
        recorded_by=actor,
    )
    visitor.save()
    return visitor


@transaction.atomic
def visitor_leave(*, visitor_id: int, actor, left_at=None) -> GateVisitor:
    visitor = GateVisitor.objects.select_for_update().get(pk=visitor_id)
    check_actor(actor, estate=visitor.estate_id, roles=GATE)
    if visitor.left_at:
        return visitor
    left_at = left_at or timezone.now()
    if left_at < visitor.arrived_at:
        raise ValidationError({"left_at": _("The visitor cannot leave before arriving.")})
    visitor.left_at = left_at
    visitor.save(update_fields=["left_at"])
    return visitor


@transaction.atomic
def parcel_log(
    *,
    estate,
    actor,
    kind: str,
    description: str,
    for_name: str,
    left_by: str,
    unit=None,
    company: OfficeTenant | None = None,
    now=None,
) -> Parcel:
    check_actor(actor, estate=estate, roles=GATE)
    _destination(estate, unit, company)
    if kind not in Parcel.Kind.values:
        raise ValidationError({"kind": _("Choose document or parcel.")})
    if not description.strip():
        raise ValidationError({"description": _("What was left?")})
    if not for_name.strip():
        raise ValidationError({"for_name": _("For whom?")})
    if not left_by.strip():
        raise ValidationError({"left_by": _("Who left it?")})
    return Parcel.objects.create(
        estate=estate,
        kind=kind,
        description=description.strip()[:200],
        for_name=for_name.strip()[:64],
        unit=unit if unit is not None else (company.unit if company else None),
        company=company,
        left_by=left_by.strip()[:64],
        logged_at=now or timezone.now(),
        logged_by=actor,
    )


def _lock_parcel(parcel_id: int, actor) -> Parcel:
    parcel = Parcel.objects.select_for_update().get(pk=parcel_id)
    check_actor(actor, estate=parcel.estate_id, roles=GATE)
    return parcel


@transaction.atomic
def parcel_forward(*, parcel_id: int, actor, to: str, now=None) -> Parcel:
    """Sent on to the resident or company (by the area administrator, a guard …)."""
    parcel = _lock_parcel(parcel_id, actor)
    if parcel.status == Parcel.Status.FORWARDED:
        return parcel
    if parcel.status != Parcel.Status.HELD:
        raise InvalidTransition(_("This item has already been collected."))
    if not to.strip():
        raise ValidationError({"to": _("Forwarded to whom?")})
    parcel.status, parcel.forwarded_at, parcel.forwarded_by = (
        Parcel.Status.FORWARDED,
        now or timezone.now(),
        actor,
    )
    parcel.forwarded_to = to.strip()[:100]
    parcel.save(update_fields=["status", "forwarded_at", "forwarded_by", "forwarded_to"])
    return parcel


@transaction.atomic
def parcel_collect(*, parcel_id: int, actor, collected_by: str, now=None) -> Parcel:
    parcel = _lock_parcel(parcel_id, actor)
    if parcel.status == Parcel.Status.COLLECTED:
        return parcel
    if not collected_by.strip():
        raise ValidationError({"collected_by": _("Who collected it?")})
    parcel.status, parcel.collected_at = Parcel.Status.COLLECTED, now or timezone.now()
    parcel.collected_by_name, parcel.collected_recorded_by = collected_by.strip()[:64], actor
    parcel.save(
        update_fields=["status", "collected_at", "collected_by_name", "collected_recorded_by"]
    )
    return parcel
