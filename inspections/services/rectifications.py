"""Violations (docs/domain.md, "Renovation"): a rectification notice (整改通知单) with a
deadline; a serious violation stops the work at once (passes stop validating at the next scan);
re-inspections until one passes — work resumes when no serious notice is left open."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import Patrol, PatrolItem, Rectification, ReInspection, Renovation
from inspections.services.common import NOT_ALLOWED, lock_renovation, move, now_or, record
from inspections.sla import RECTIFICATION_DUE
from propserv.access import check_actor
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.roles import PATROLLERS

S = Renovation.Status


def issue_notice(
    renovation: Renovation,
    *,
    items: list[str],
    description: str,
    serious: bool,
    due_at: dt.datetime,
    actor,
    at: dt.datetime,
    patrol: Patrol | None = None,
) -> Rectification:
    """Write a notice for the locked `renovation` (inside the caller's transaction)."""
    if due_at <= at:
        raise ValidationError({"due_at": _("The rectification deadline must be in the future.")})
    sequence = Rectification.objects.filter(renovation=renovation).count() + 1
    notice = Rectification.objects.create(
        renovation=renovation,
        number=f"{renovation.permit_number}-R{sequence:02d}",
        patrol=patrol,
        items=items,
        description=description,
        serious=serious,
        issued_at=at,
        issued_by=actor,
        due_at=due_at,
    )
    deadline_open(
        subject=notice,
        estate=renovation.estate,
        kind=RECTIFICATION_DUE,
        started_at=at,
        rule={"unit": "at", "due_at": due_at.isoformat()},
        now=at,
    )
    record(renovation, "notice_issued", actor=actor, at=at, notice=notice.number)
    if serious and renovation.status == S.APPROVED:
        move(
            renovation,
            S.STOPPED,
            [],
            actor=actor,
            at=at,
            action="work_stopped",
            notice=notice.number,
        )
    return notice


@transaction.atomic
def notice_issue(
    *,
    renovation: Renovation,
    items: list[str],
    description: str,
    serious: bool = False,
    due_at: dt.datetime,
    actor,
    at: dt.datetime | None = None,
) -> Rectification:
    """Issue a rectification notice; `serious` also issues the stop-work order."""
    check_actor(actor, estate=renovation.estate_id, roles=PATROLLERS, message=NOT_ALLOWED)
    at = now_or(at)
    items = [code for code in dict.fromkeys(items or []) if code in PatrolItem.values]
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what must be rectified.")})
    renovation = lock_renovation(renovation)
    if renovation.status not in Renovation.ACTIVE:
        raise InvalidTransition(_("This renovation is not under way."))
    return issue_notice(
        renovation,
        items=items,
        description=description,
        serious=serious,
        due_at=due_at,
        actor=actor,
        at=at,
    )


@transaction.atomic
def notice_reinspect(
    *,
    rectification: Rectification,
    passed: bool,
    notes: str = "",
    next_due_at: dt.datetime | None = None,
    actor,
    at: dt.datetime | None = None,
) -> ReInspection:
    """Re-inspect: a pass closes the notice (and resumes stopped work when no serious notice is
    left); a fail keeps it open, with a new deadline when one is given."""
    renovation = rectification.renovation
    check_actor(actor, estate=renovation.estate_id, roles=PATROLLERS, message=NOT_ALLOWED)
    at = now_or(at)
    renovation = lock_renovation(renovation)
    notice = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if notice.status == Rectification.Status.CLOSED:
        raise InvalidTransition(
            _("Notice %(number)s is already closed.") % {"number": notice.number},
            code="notice_closed",
        )
    if not passed and next_due_at is not None and next_due_at <= at:
        raise ValidationError({"next_due_at": _("The new deadline must be in the future.")})
    check = ReInspection.objects.create(
        rectification=notice, at=at, by=actor, passed=passed, notes=(notes or "").strip()
    )
    record(
        renovation,
        "reinspected",
        actor=actor,
        at=at,
        note=check.notes,
        notice=notice.number,
        passed=passed,
    )
    if passed:
        notice.status, notice.closed_at = Rectification.Status.CLOSED, at
        notice.save(update_fields=["status", "closed_at"])
        deadline_meet(subject=notice, kind=RECTIFICATION_DUE, at=at)
        serious_left = renovation.rectifications.open().filter(serious=True).exists()
        if renovation.status == S.STOPPED and not serious_left:
            move(renovation, S.APPROVED, [], actor=actor, at=at, action="work_resumed")
    elif next_due_at is not None:
        deadline_cancel(subject=notice, kind=RECTIFICATION_DUE, at=at)
        notice.due_at = next_due_at
        notice.save(update_fields=["due_at"])
        deadline_open(
            subject=notice,
            estate=renovation.estate,
            kind=RECTIFICATION_DUE,
            started_at=at,
            rule={"unit": "at", "due_at": next_due_at.isoformat()},
            now=at,
        )
    return check
