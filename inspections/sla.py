"""The clocks of renovation, run by the core deadline engine (propserv.deadlines;
docs/domain.md, "Renovation"; docs/architecture.md, "Deadlines").

A due patrol is a deadline from the start of its slot to its end: no warning, and when the slot
ends unpatrolled the supervisor hears of it once (level 1 is the top).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propserv.deadlines import DeadlinePolicy, Ladder
from propserv.models import Deadline, EstateSettings
from propserv.roles import Role

PATROL_DUE = "renovation.patrol"
RECTIFICATION_DUE = "renovation.rectification"


class PatrolDuePolicy(DeadlinePolicy):
    kind = PATROL_DUE
    label = gettext_lazy("Renovation patrol")
    warning_roles = ()
    escalation_roles = {1: (Role.SUPERVISOR,)}

    def ladder(self, estate_settings: EstateSettings) -> Ladder:
        """No warning; the missed patrol goes to the supervisor once."""
        return Ladder(warn_percent=0, step=dt.timedelta(hours=1), top_level=1)

    def subject_url(self, deadline: Deadline) -> str:
        patrol = deadline.subject
        return patrol.renovation.get_absolute_url() if patrol is not None else ""

    def message(self, deadline: Deadline, level: int) -> tuple[str, str]:
        patrol = deadline.subject
        if patrol is None:
            return super().message(deadline, level)
        what = {
            "unit": patrol.renovation.unit.code,
            "slot": patrol.get_slot_display(),
            "day": patrol.day.isoformat(),
            "end": timezone.localtime(patrol.window_end).strftime("%H:%M"),
        }
        return (
            _("Renovation patrol missed: %(unit)s, %(slot)s") % what,
            _("The %(slot)s patrol of %(day)s at unit %(unit)s was not recorded by %(end)s.")
            % what,
        )


class RectificationDuePolicy(DeadlinePolicy):
    """A rectification notice's deadline: the patrol guards hear before it is due, the
    supervisor when it passes unrectified."""

    kind = RECTIFICATION_DUE
    label = gettext_lazy("Rectification notice")
    warning_roles = (Role.PATROL,)
    escalation_roles = {1: (Role.SUPERVISOR,)}

    def subject_label(self, deadline: Deadline) -> str:
        notice = deadline.subject
        if notice is None:
            return super().subject_label(deadline)
        return f"{notice.number} · {notice.renovation.unit.code}"


# Every deadline kind inspections opens, declared in the app's AppConfig.ready.
KINDS = [PATROL_DUE, RECTIFICATION_DUE]
POLICIES = [PatrolDuePolicy, RectificationDuePolicy]
