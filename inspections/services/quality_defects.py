"""The defect closure record (缺陷消项记录; docs/domain.md, "Quality checks"): the office records
a defect's cause and fix by its deadline, or sends it up on a fault transfer form to the
responsible department; the next monthly or quarterly check verifies the closure. A failed
verification reopens the defect with a new deadline; every fix and verdict stays on record."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import (
    SCORED_KINDS,
    Defect,
    DefectFix,
    DefectVerification,
    FaultTransfer,
    QualityCheck,
)
from inspections.services.common import now_or
from inspections.services.quality import DEFECT_FIX_DAYS, open_defect_clock
from inspections.sla import QUALITY_DEFECT_DUE
from propserv.access import check_actor, may
from propserv.deadlines import deadline_meet
from propserv.errors import InvalidTransition
from propserv.models import Department, DepartmentHead
from propserv.roles import QUALITY_INSPECTORS, QUALITY_OFFICE

S = Defect.Status


def _lock(defect: Defect) -> Defect:
    return Defect.objects.select_for_update(of=("self",)).select_related("estate").get(pk=defect.pk)


@transaction.atomic
def defect_fix(*, defect: Defect, cause: str, fix: str, actor, at=None) -> Defect:
    """The office's cause and fix: the defect waits for the next check's verification."""
    check_actor(actor, estate=defect.estate_id, roles=QUALITY_OFFICE)
    cause, fix = (cause or "").strip(), (fix or "").strip()
    errors = {}
    if not cause:
        errors["cause"] = _("Record the cause of the defect.")
    if not fix:
        errors["fix"] = _("Record how the defect was fixed.")
    if errors:
        raise ValidationError(errors)
    at = now_or(at)
    defect = _lock(defect)
    if defect.status == S.FIXED:
        return defect
    if defect.status == S.VERIFIED:
        raise InvalidTransition(_("This defect's closure was verified already."))
    DefectFix.objects.create(defect=defect, cause=cause, fix=fix, at=at, by=actor)
    defect.status = S.FIXED
    defect.save(update_fields=["status"])
    deadline_meet(subject=defect, kind=QUALITY_DEFECT_DUE, at=at)
    return defect


@transaction.atomic
def defect_transfer(*, defect: Defect, department: str, reason: str, actor, at=None) -> Defect:
    """Send a defect the office cannot fix itself to the responsible department (fault transfer
    form); its clock keeps running until a fix is recorded."""
    check_actor(actor, estate=defect.estate_id, roles=QUALITY_OFFICE)
    reason = (reason or "").strip()
    errors = {}
    if department not in Department.values:
        errors["department"] = _("Choose the responsible department.")
    if not reason:
        errors["reason"] = _("Say why the office cannot fix it itself.")
    if errors:
        raise ValidationError(errors)
    at = now_or(at)
    defect = _lock(defect)
    if defect.status == S.TRANSFERRED:
        return defect
    if defect.status != S.OPEN:
        raise InvalidTransition(_("Only an open defect can be transferred."))
    head = (
        DepartmentHead.objects.filter(estate=defect.estate_id, department=department)
        .values_list("head", flat=True)
        .first()
    )
    FaultTransfer.objects.create(
        defect=defect, department=department, head_id=head, reason=reason, at=at, by=actor
    )
    defect.status = S.TRANSFERRED
    defect.save(update_fields=["status"])
    return defect


def next_check_of(defect: Defect) -> QualityCheck | None:
    """The latest scored check of the defect's estate after the one that found it."""
    return (
        QualityCheck.objects.filter(
            estate=defect.estate_id,
            kind__in=SCORED_KINDS,
            checked_at__gt=defect.found_at,
        )
        .order_by("-checked_at", "-pk")
        .first()
    )


@transaction.atomic
def defect_verify(
    *,
    defect: Defect,
    passed: bool,
    notes: str = "",
    next_due_at: dt.datetime | None = None,
    actor,
    at=None,
) -> Defect:
    """The next scored check's verdict on a fixed defect: closed, or reopened with a new
    deadline (`next_due_at`, by default a week later)."""
    check_actor(actor, estate=defect.estate_id, roles=QUALITY_INSPECTORS)
    at = now_or(at)
    defect = _lock(defect)
    if defect.status == S.VERIFIED:
        return defect
    if defect.status != S.FIXED:
        raise InvalidTransition(
            _("Record the cause and the fix before the closure can be verified.")
        )
    check = next_check_of(defect)
    if check is None or check.checked_at > at:
        raise InvalidTransition(
            _("The closure is verified at the next monthly or quarterly check: record it first.")
        )
    if not passed and next_due_at is not None and next_due_at <= at:
        raise ValidationError({"next_due_at": _("The new deadline must be in the future.")})
    DefectVerification.objects.create(
        defect=defect, quality_check=check, at=at, by=actor, passed=passed, notes=notes.strip()
    )
    if passed:
        defect.status = S.VERIFIED
        defect.save(update_fields=["status"])
        return defect
    defect.status = S.OPEN
    defect.due_at = next_due_at or at + dt.timedelta(days=DEFECT_FIX_DAYS)
    defect.save(update_fields=["status", "due_at"])
    open_defect_clock(defect, started_at=at, due_at=defect.due_at)
    return defect


def defect_actions(defect: Defect, user) -> set[str]:
    """What a page may offer on `defect` (the services decide)."""
    actions = set()
    if defect.status in (S.OPEN, S.TRANSFERRED) and may(user, defect.estate_id, QUALITY_OFFICE):
        actions.add("fix")
        if defect.status == S.OPEN:
            actions.add("transfer")
    if defect.status == S.FIXED and may(user, defect.estate_id, QUALITY_INSPECTORS):
        actions.add("verify")
    return actions
