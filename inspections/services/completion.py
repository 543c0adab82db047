"""Completion (docs/domain.md, "Renovation"): the owner requests acceptance; the acceptance
inspection uses the patrol checklist plus the damage found on the route. A pass records the
deposit refund with its deductions itemised and the unit's status moves back; a fail issues a
rectification notice and the work goes on.

The deposit stays recorded here (Renovation.deposit, refund_amount, deductions) until fees
exists; then the refund becomes a fees refund entry (docs/domain.md, "Renovation")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections import rules
from inspections.models import Acceptance, PatrolItem, Renovation, Verdict
from inspections.services.common import NOT_ALLOWED, lock_renovation, move, now_or
from inspections.services.patrols import cancel_open_patrols, check_items
from inspections.services.rectifications import issue_notice
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Unit
from propserv.roles import PATROLLERS, RENOVATION_DESK

S = Renovation.Status


@transaction.atomic
def acceptance_request(
    *, renovation: Renovation, actor, at: dt.datetime | None = None
) -> Renovation:
    """The owner reports the work finished and asks for the acceptance inspection."""
    check_actor(actor, estate=renovation.estate_id, roles=RENOVATION_DESK, message=NOT_ALLOWED)
    at = now_or(at)
    renovation = lock_renovation(renovation)
    if renovation.status == S.ACCEPTANCE:
        return renovation
    if renovation.status != S.APPROVED:
        raise InvalidTransition(_("Acceptance can be requested only while the work is under way."))
    if renovation.rectifications.open().exists():
        raise InvalidTransition(
            _("Rectification notices are still open: close them before the acceptance inspection."),
            code="open_rectifications",
        )
    move(renovation, S.ACCEPTANCE, [], actor=actor, at=at, action="acceptance_requested")
    return renovation


def _check_deductions(deductions, deposit: Decimal) -> list[dict]:
    lines = []
    for line in deductions or []:
        reason = str(line.get("reason", "")).strip()
        if line.get("amount") is None or str(line.get("amount")).strip() == "":
            raise ValidationError({"deductions": _("Give each deduction an amount.")})
        amount = rules.yuan(line.get("amount"))
        if amount is None:
            raise ValidationError(
                {"deductions": _("Give each deduction in yuan and whole cents, e.g. 150.50.")}
            )
        if not reason or amount <= 0:
            raise ValidationError(
                {"deductions": _("Each deduction needs a reason and an amount above 0.")}
            )
        lines.append({"reason": reason, "amount": str(amount)})
    if sum(Decimal(x["amount"]) for x in lines) > deposit:
        raise ValidationError({"deductions": _("The deductions exceed the deposit.")})
    return lines


@transaction.atomic
def acceptance_record(
    *,
    renovation: Renovation,
    items: dict,
    deductions=(),
    notes: str = "",
    due_at: dt.datetime | None = None,
    actor,
    at: dt.datetime | None = None,
) -> Acceptance:
    check_actor(actor, estate=renovation.estate_id, roles=PATROLLERS, message=NOT_ALLOWED)
    at = now_or(at)
    items = check_items(items)
    renovation = lock_renovation(renovation)
    if renovation.status != S.ACCEPTANCE:
        raise InvalidTransition(
            _("No acceptance inspection has been requested."), code="not_requested"
        )
    lines = _check_deductions(deductions, renovation.deposit)
    failed = [c for c, v in items.items() if v == Verdict.FAIL]
    acceptance = Acceptance.objects.create(
        renovation=renovation,
        at=at,
        by=actor,
        items=items,
        passed=not failed,
        deductions=lines,
        notes=(notes or "").strip(),
    )
    if failed:
        move(renovation, S.APPROVED, [], actor=actor, at=at, action="acceptance_failed")
        issue_notice(
            renovation,
            items=failed,
            description=acceptance.notes or "、".join(str(PatrolItem(c).label) for c in failed),
            serious=False,
            due_at=due_at or at + dt.timedelta(days=3),
            actor=actor,
            at=at,
        )
        return acceptance
    refund = renovation.deposit - sum((Decimal(x["amount"]) for x in lines), Decimal("0"))
    renovation.refund_amount, renovation.deductions, renovation.completed_at = refund, lines, at
    unit = Unit.objects.select_for_update().get(pk=renovation.unit_id)
    if unit.status == Unit.Status.RENOVATING:
        unit.status = renovation.unit_status_before or Unit.Status.OCCUPIED
        unit.save(update_fields=["status"])
    move(
        renovation,
        S.COMPLETED,
        ["refund_amount", "deductions", "completed_at"],
        actor=actor,
        at=at,
        action="completed",
        refund=str(refund),
    )
    cancel_open_patrols(renovation, at)
    return acceptance
