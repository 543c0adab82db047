"""The arrears reminder clock, run by the core deadline engine (propserv.deadlines;
docs/domain.md, "Fees"; docs/architecture.md, "Deadlines").

A reminder logged with a "next reminder on" date opens a clock due that day at 09:00. Levels:
0 – a warning before, to whoever logged it and the front desk; 1 – when due, to the same; 2 – a
day later, to the customer-service supervisor (the top). Logging the unit's next reminder meets
the clock.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propserv.deadlines import DeadlinePolicy, Ladder
from propserv.models import Deadline, EstateSettings
from propserv.roles import Role

ARREARS_REMINDER = "fees.arrears_reminder"
REMIND_AT = dt.time(9, 0)


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
        reminder = deadline.subject
        return [reminder.by] if reminder is not None else []

    def recipients(self, deadline: Deadline, level: int) -> list:
        people = super().recipients(deadline, level)
        return [*self.assignees(deadline), *people] if level == 1 else people

    def subject_url(self, deadline: Deadline) -> str:
        reminder = deadline.subject
        return reverse("fees:statement", args=[reminder.unit_id]) if reminder is not None else ""

    def message(self, deadline: Deadline, level: int) -> tuple[str, str]:
        reminder = deadline.subject
        if reminder is None:
            return super().message(deadline, level)
        what = {
            "unit": reminder.unit.code,
            "due": timezone.localtime(deadline.due_at).strftime("%m-%d"),
            "step": reminder.next_step or reminder.outcome,
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
