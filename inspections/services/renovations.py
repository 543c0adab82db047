"""Applications (装修申报), their review and the permit (装修许可证) (docs/domain.md,
"Renovation"): structural changes, façade changes and building additions are never approved;
approval numbers the permit and puts the unit in the *renovating* status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import rules
from inspections.models import Renovation, RenovationDocument, Scope
from inspections.services.common import NOT_ALLOWED, lock_renovation, move, now_or, record
from inspections.services.patrols import schedule_day
from inspections.uploads import clean_document
from keys.models import Contractor, ContractorPerson
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Estate, Resident, Unit
from propserv.roles import RENOVATION_APPROVERS, RENOVATION_DESK

A = Renovation.Status


def _check_scope(scope, scope_other: str) -> list[str]:
    scope = list(dict.fromkeys(scope or []))
    unknown = [code for code in scope if code not in Scope.values]
    if unknown:
        raise ValidationError(
            {"scope": _("Unknown scope: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    if not scope and not scope_other.strip():
        raise ValidationError({"scope": _("Tick what will be done, or describe it.")})
    forbidden = rules.forbidden_scope(scope)
    if forbidden:
        raise ValidationError(
            {
                "scope": _("%(what)s cannot be approved: remove it from the application.")
                % {"what": "; ".join(str(Scope(code).label) for code in forbidden)}
            }
        )
    return scope


def _check_parties(
    unit: Unit, owner: Resident, contractor: Contractor, responsible: ContractorPerson
):
    if owner.unit_id != unit.pk or owner.role != Resident.Role.OWNER:
        raise ValidationError(
            {
                "owner": _("The applicant must be an owner registered for unit %(unit)s.")
                % {"unit": unit.code}
            }
        )
    if contractor.estate_id != unit.estate_id or not contractor.active:
        raise ValidationError({"contractor": _("Choose a contractor registered in this estate.")})
    if responsible.contractor_id != contractor.pk or not responsible.active:
        raise ValidationError(
            {"responsible": _("The responsible person must be registered for this contractor.")}
        )


@transaction.atomic
def renovation_apply(
    *,
    unit: Unit,
    owner: Resident,
    contractor: Contractor,
    responsible: ContractorPerson,
    scope: list[str],
    scope_other: str = "",
    planned_start: dt.date,
    planned_end: dt.date,
    deposit: Decimal = Decimal("0"),
    documents=(),
    actor,
    at: dt.datetime | None = None,
) -> Renovation:
    """Take an owner's application. Uploads are checked before anything is written."""
    check_actor(actor, estate=unit.estate_id, roles=RENOVATION_DESK, message=NOT_ALLOWED)
    at = now_or(at)
    scope = _check_scope(scope, scope_other)
    _check_parties(unit, owner, contractor, responsible)
    if planned_end < planned_start:
        raise ValidationError({"planned_end": _("The planned end is before the planned start.")})
    amount = rules.yuan(deposit) if deposit is not None else None
    if amount is None:
        raise ValidationError(
            {"deposit": _("Give the deposit in yuan and whole cents, e.g. 3000.00.")}
        )
    if amount < 0:
        raise ValidationError({"deposit": _("The deposit cannot be negative.")})
    deposit = amount
    files = [(kind, *clean_document(upload)) for kind, upload in documents]
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if Renovation.objects.filter(unit=unit, status__in=[A.SUBMITTED, *Renovation.ACTIVE]).exists():
        raise InvalidTransition(
            _("Unit %(unit)s already has a renovation under review or under way.")
            % {"unit": unit.code},
            code="renovation_open",
        )
    renovation = Renovation.objects.create(
        estate_id=unit.estate_id,
        unit=unit,
        owner=owner,
        contractor=contractor,
        responsible=responsible,
        scope=scope,
        scope_other=scope_other.strip(),
        planned_start=planned_start,
        planned_end=planned_end,
        deposit=deposit,
        submitted_at=at,
        submitted_by=actor,
    )
    for kind, content, content_type in files:
        RenovationDocument.objects.create(
            renovation=renovation,
            kind=kind,
            file=content,
            name=content.name,
            content_type=content_type,
            uploaded_by=actor,
        )
    record(renovation, "submitted", actor=actor, at=at, before="", deposit=str(deposit))
    return renovation


@transaction.atomic
def renovation_add_document(
    *, renovation: Renovation, kind: str, upload, actor
) -> RenovationDocument:
    check_actor(actor, estate=renovation.estate_id, roles=RENOVATION_DESK, message=NOT_ALLOWED)
    if kind not in RenovationDocument.Kind.values:
        raise ValidationError({"kind": _("Choose drawing or document.")})
    content, content_type = clean_document(upload)
    renovation = lock_renovation(renovation)
    if renovation.status in (A.REJECTED, A.COMPLETED):
        raise InvalidTransition(_("This renovation is closed."))
    doc = RenovationDocument.objects.create(
        renovation=renovation,
        kind=kind,
        file=content,
        name=content.name,
        content_type=content_type,
        uploaded_by=actor,
    )
    record(renovation, "document_added", actor=actor, at=timezone.now(), name=content.name)
    return doc


def _next_permit_number(estate_id: int, year: int) -> str:
    """Numbers count per estate and year; the estate row is locked while one is taken."""
    Estate.objects.select_for_update().filter(pk=estate_id).first()
    taken = Renovation.objects.filter(
        estate_id=estate_id, permit_number__startswith=rules.permit_number(year, 0)[:7]
    ).count()
    return rules.permit_number(year, taken + 1)


@transaction.atomic
def renovation_approve(
    *, renovation: Renovation, conditions: str = "", actor, at: dt.datetime | None = None
) -> Renovation:
    """Approve with conditions: the permit gets its number, the unit becomes *renovating*."""
    check_actor(actor, estate=renovation.estate_id, roles=RENOVATION_APPROVERS, message=NOT_ALLOWED)
    at = now_or(at)
    renovation = lock_renovation(renovation)
    if renovation.status == A.APPROVED and renovation.has_permit:
        return renovation
    if renovation.status != A.SUBMITTED:
        raise InvalidTransition(
            _("Only an application under review can be approved."), code="not_under_review"
        )
    forbidden = rules.forbidden_scope(renovation.scope)
    if forbidden:
        raise InvalidTransition(
            _("%(what)s cannot be approved.")
            % {"what": "; ".join(str(Scope(code).label) for code in forbidden)},
            code="forbidden_scope",
        )
    renovation.permit_number = _next_permit_number(
        renovation.estate_id, timezone.localtime(at).year
    )
    renovation.conditions = conditions.strip()
    renovation.decided_at, renovation.decided_by = at, actor
    unit = Unit.objects.select_for_update().get(pk=renovation.unit_id)
    renovation.unit_status_before = unit.status
    unit_set_renovating(unit)
    move(
        renovation,
        A.APPROVED,
        ["permit_number", "conditions", "decided_at", "decided_by", "unit_status_before"],
        actor=actor,
        at=at,
        action="approved",
        permit=renovation.permit_number,
    )
    schedule_day(renovation, timezone.localtime(at).date(), at)  # today's remaining patrols
    return renovation


def unit_set_renovating(unit: Unit) -> None:
    """The unit (locked by the caller) is being renovated."""
    if unit.status != Unit.Status.RENOVATING:
        unit.status = Unit.Status.RENOVATING
        unit.save(update_fields=["status"])


@transaction.atomic
def renovation_reject(
    *, renovation: Renovation, reasons: str, actor, at: dt.datetime | None = None
) -> Renovation:
    """Reject with the reasons the owner is told."""
    check_actor(actor, estate=renovation.estate_id, roles=RENOVATION_APPROVERS, message=NOT_ALLOWED)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("Give the reasons for the rejection.")})
    at = now_or(at)
    renovation = lock_renovation(renovation)
    if renovation.status == A.REJECTED:
        return renovation
    if renovation.status != A.SUBMITTED:
        raise InvalidTransition(
            _("Only an application under review can be rejected."), code="not_under_review"
        )
    renovation.rejection_reasons = reasons
    renovation.decided_at, renovation.decided_by = at, actor
    move(
        renovation,
        A.REJECTED,
        ["rejection_reasons", "decided_at", "decided_by"],
        actor=actor,
        at=at,
        action="rejected",
        note=reasons,
    )
    return renovation
