"""Chasing arrears: the reminder log and the public arrears notice, approved by the project
manager before it is posted and numbered then (docs/domain.md, "Fees")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from fees import selectors
from fees.models import Account, ArrearsNotice, Charge, Counter, Reminder
from fees.services.common import NOT_ALLOWED, lock_account, next_number
from fees.sla import ARREARS_REMINDER, remind_at
from propserv.access import check_actor
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.models import Deadline, Unit
from propserv.roles import ARREARS_CHASERS, ARREARS_NOTICE_APPROVERS


def reminder_log(
    *, unit, way: str, outcome: str, actor, next_step: str = "", next_on=None, at=None
):
    """Log a reminder (visit, phone, letter). The unit's reminder clock is met; while arrears
    remain the next opens, due on `next_on` (09:00) or `arrears_reminder_days` later (fees.sla)."""
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
        account = lock_account(unit)
        deadline_meet(subject=account, kind=ARREARS_REMINDER, at=at)
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
        if in_arrears(unit.pk, timezone.localdate(at)):
            day = next_on or (
                timezone.localdate(at)
                + dt.timedelta(days=unit.estate.service_settings.arrears_reminder_days)
            )
            _open_clock(account, unit.estate, at, remind_at(day))
    return reminder


def in_arrears(unit_id: int, today: dt.date) -> bool:
    """Whether the unit has a charge past due and not fully paid."""
    return Charge.objects.open().filter(unit_id=unit_id, due_on__lt=today).exists()


def _open_clock(account, estate, started_at, due_at):
    return deadline_open(
        subject=account,
        estate=estate,
        kind=ARREARS_REMINDER,
        started_at=min(started_at, due_at),
        rule={"unit": "at", "due_at": due_at.isoformat()},
        now=started_at,
    )


def reminder_clock_settle(account, at) -> None:
    """After a payment paid up everything past due (inside its transaction, account locked):
    nothing left to be reminded of — the unit's open clock is cancelled."""
    deadline_cancel(subject=account, kind=ARREARS_REMINDER, at=at)


def arrears_reminders_sweep(now=None) -> dict:
    """Beat's round (idempotent): every unit in arrears without a reminder clock gets one, due
    `arrears_reminder_days` after its last logged reminder, or after it first fell behind (09:00);
    the clocks of units no longer in arrears are cancelled. {"opened": n, "cancelled": n}."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    behind = (
        Charge.objects.open()
        .filter(due_on__lt=today)
        .values("unit_id")
        .annotate(first_due=Min("due_on"))
        .order_by("unit_id")
    )
    clocks = Deadline.objects.for_model(Account).open().filter(kind=ARREARS_REMINDER)
    cancelled = clocks.exclude(
        object_id__in=Charge.objects.open().filter(due_on__lt=today).values("unit_id")
    ).update(cancelled_at=now, next_check_at=None)
    missing = list(behind.exclude(unit_id__in=clocks.values("object_id")))
    last = dict(
        Reminder.objects.filter(unit_id__in=[r["unit_id"] for r in missing])
        .values("unit_id")
        .annotate(last=Max("at"))
        .values_list("unit_id", "last")
        .order_by()
    )
    units = Unit.objects.select_related("estate__settings_row").in_bulk(
        [r["unit_id"] for r in missing]
    )
    opened = 0
    for r in missing:
        unit = units[r["unit_id"]]
        since = last.get(unit.pk) or timezone.make_aware(
            dt.datetime.combine(r["first_due"] + dt.timedelta(days=1), dt.time.min)
        )
        days = unit.estate.service_settings.arrears_reminder_days
        with transaction.atomic():
            account = lock_account(unit)
            if in_arrears(unit.pk, today):
                _open_clock(
                    account,
                    unit.estate,
                    since,
                    remind_at(timezone.localdate(since) + dt.timedelta(days=days)),
                )
                opened += 1
    return {"opened": opened, "cancelled": cancelled}


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
