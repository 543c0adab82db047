"""Chasing arrears: the reminder log and the public arrears notice, approved by the project
manager before it is posted and numbered then (docs/domain.md, "Fees")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fees import selectors
from fees.models import ArrearsNotice, Counter, Reminder
from fees.services.common import NOT_ALLOWED, lock_account, next_number
from fees.sla import ARREARS_REMINDER, remind_at
from propserv.access import check_actor
from propserv.deadlines import deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.roles import ARREARS_CHASERS, ARREARS_NOTICE_APPROVERS


def reminder_log(
    *, unit, way: str, outcome: str, actor, next_step: str = "", next_on=None, at=None
):
    """Log a reminder (visit, phone, letter); the unit's earlier reminder clock is met, and a
    next date opens the next clock (fees.sla)."""
    check_actor(actor, estate=unit.estate, roles=ARREARS_CHASERS, message=NOT_ALLOWED)
    if way not in Reminder.Way.values:
        raise ValidationError({"way": _("Choose how the owner was reminded.")})
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Write down what the owner said.")})
    at = at or timezone.now()
    if next_on is not None and next_on < timezone.localdate(at):
        raise ValidationError({"next_on": _("The next reminder cannot be in the past.")})
    with transaction.atomic():
        lock_account(unit)
        earlier = Reminder.objects.filter(unit=unit, next_on__isnull=False).order_by("-at", "-id")
        if earlier[:1]:
            deadline_meet(subject=earlier[0], kind=ARREARS_REMINDER, at=at)
        reminder = Reminder.objects.create(
            estate_id=unit.estate_id,
            unit=unit,
            way=way,
            outcome=outcome[:200],
            next_step=(next_step or "").strip()[:200],
            next_on=next_on,
            by=actor,
            at=at,
        )
        if next_on is not None:
            deadline_open(
                subject=reminder,
                estate=unit.estate,
                kind=ARREARS_REMINDER,
                started_at=at,
                rule={"unit": "at", "due_at": remind_at(next_on).isoformat()},
                now=at,
            )
    return reminder


def notice_prepare(*, estate, actor, today=None) -> ArrearsNotice:
    """A draft notice listing the units behind by the estate's months or more, as of today."""
    check_actor(actor, estate=estate, roles=ARREARS_CHASERS, message=NOT_ALLOWED)
    today = today or timezone.localdate()
    return ArrearsNotice.objects.create(
        estate=estate,
        as_of=today,
        min_months=estate.service_settings.arrears_notice_months,
        lines=selectors.notice_lines(estate, today),
        prepared_by=actor,
    )


def notice_approve(*, notice: ArrearsNotice, actor) -> ArrearsNotice:
    """The project manager approves the draft; it gets the next notice number of the year."""
    check_actor(actor, estate=notice.estate_id, roles=ARREARS_NOTICE_APPROVERS, message=NOT_ALLOWED)
    with transaction.atomic():
        notice = (
            ArrearsNotice.objects.select_for_update().select_related("estate").get(pk=notice.pk)
        )
        if notice.status == ArrearsNotice.Status.APPROVED:
            raise InvalidTransition(_("This notice has already been approved."))
        now = timezone.now()
        notice.year = timezone.localtime(now).year
        notice.seq = next_number(notice.estate, Counter.Kind.NOTICE, notice.year)
        notice.status, notice.approved_by, notice.approved_at = (
            ArrearsNotice.Status.APPROVED,
            actor,
            now,
        )
        notice.save(update_fields=["year", "seq", "status", "approved_by", "approved_at"])
    return notice
