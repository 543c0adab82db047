"""The arrears reminder clock, run by the core deadline engine (propserv.deadlines;
docs/domain.md, "Fees"; docs/architecture.md, "Deadlines").

One clock per unit in arrears, on its fee account: due at 09:00 `arrears_reminder_days` (30)
after the last logged reminder — or on the "next reminder on" date that reminder named — or,
before any reminder, after the unit first fell behind. Logging a reminder meets it and opens the
next while arrears remain; paying up cancels it; the sweep (fees.services.arrears) opens the
missing ones. Levels: 0 – a warning before, to whoever logged the last reminder and the front
desk; 1 – when due, to the same; 2 – a day later, to the customer-service supervisor (the top).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fees.models import Reminder
from propserv.deadlines import DeadlinePolicy, Ladder
from propserv.models import Deadline, EstateSettings
from propserv.roles import Role

ARREARS_REMINDER = "fees.arrears_reminder"
REMIND_AT = dt.time(9, 0)


def _unit_id(deadline: Deadline) -> int | None:
    """The unit of the clock: its subject is the unit's fee account (pk = the unit's id); a
    clock opened before the accounts carried them has a reminder as its subject."""
    subject = deadline.subject
    if subject is None:
        return None
    return getattr(subject, "unit_id", None) or subject.pk


def _last_reminder(deadline: Deadline):
    unit_id = _unit_id(deadline)
    return Reminder.objects.filter(unit_id=unit_id).select_related("by", "unit").first()


class ArrearsReminderPolicy(DeadlinePolicy):
    kind = ARREARS_REMINDER
    label = gettext_lazy("Arrears reminder")
    warning_roles = (Role.FRONT_DESK,)
    escalation_roles = {1: (Role.FRONT_DESK,), 2: (Role.SUPERVISOR,)}

    def ladder(self, estate_settings: EstateSettings) -> Ladder:
        return Ladder(
            warn_percent=estate_settings.deadline_warn_percent,
            step=dt.timedelta(days=1),
            top_level=2,
        )

    def assignees(self, deadline: Deadline) -> list:
        reminder = _last_reminder(deadline)
        return [reminder.by] if reminder is not None else []

    def recipients(self, deadline: Deadline, level: int) -> list:
        people = super().recipients(deadline, level)
        return [*self.assignees(deadline), *people] if level == 1 else people

    def subject_url(self, deadline: Deadline) -> str:
        unit_id = _unit_id(deadline)
        return reverse("fees:statement", args=[unit_id]) if unit_id else ""

    def message(self, deadline: Deadline, level: int) -> tuple[str, str]:
        subject = deadline.subject
        unit = getattr(subject, "unit", None)
        if unit is None:
            return super().message(deadline, level)
        reminder = _last_reminder(deadline)
        what = {
            "unit": unit.code,
            "due": timezone.localtime(deadline.due_at).strftime("%m-%d"),
            "step": (reminder.next_step or reminder.outcome) if reminder else _("first reminder"),
        }
        if level == 0:
            return (
                _("Arrears reminder due: %(unit)s") % what,
                _("Remind the owner of %(unit)s on %(due)s: %(step)s") % what,
            )
        return (
            _("Arrears reminder overdue: %(unit)s") % what,
            _("The owner of %(unit)s was to be reminded on %(due)s: %(step)s") % what,
        )


def remind_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, REMIND_AT))


# Every deadline kind fees opens, declared in the app's AppConfig.ready (propserv.registry).
KINDS = [ARREARS_REMINDER]
# Registered in the app's AppConfig.ready (propserv.registry).
POLICIES = [ArrearsReminderPolicy]
