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
WELCOME_VISIT = "handover.welcome_visit"
MILESTONE_DUE = "handover.milestone"


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


class WelcomeVisitPolicy(DeadlinePolicy):
    """A new owner is visited within `new_owner_visit_days` of accepting the unit
    (docs/domain.md, "Hand-over and move-in"): the desk hears before, the supervisor once when
    it passes."""

    kind = WELCOME_VISIT
    label = gettext_lazy("Welcome visit to a new owner")
    warning_roles = (Role.FRONT_DESK, Role.AREA_ADMIN)
    escalation_roles = {1: (Role.SUPERVISOR,)}

    def current_rule(self, deadline: Deadline, estate_settings: EstateSettings) -> dict | None:
        return {"unit": "days", "amount": estate_settings.new_owner_visit_days}

    def ladder(self, estate_settings: EstateSettings) -> Ladder:
        return Ladder(
            warn_percent=estate_settings.deadline_warn_percent,
            step=dt.timedelta(days=1),
            top_level=1,
        )

    def subject_label(self, deadline: Deadline) -> str:
        appointment = deadline.subject
        if appointment is None:
            return super().subject_label(deadline)
        return f"{appointment.unit.code} · {appointment.owner.name}"


class MilestonePolicy(DeadlinePolicy):
    """A key milestone of the hand-over project: its owner hears before it is due, the project
    manager once when it passes undone."""

    kind = MILESTONE_DUE
    label = gettext_lazy("Key milestone")
    warning_roles = ()
    escalation_roles = {1: (Role.PROJECT_MANAGER,)}

    def assignees(self, deadline: Deadline) -> list:
        milestone = deadline.subject
        return [milestone.owner] if milestone is not None else []

    def ladder(self, estate_settings: EstateSettings) -> Ladder:
        return Ladder(
            warn_percent=estate_settings.deadline_warn_percent,
            step=dt.timedelta(days=1),
            top_level=1,
        )


# Every deadline kind inspections opens, declared in the app's AppConfig.ready.
KINDS = [PATROL_DUE, RECTIFICATION_DUE, WELCOME_VISIT, MILESTONE_DUE]
POLICIES = [PatrolDuePolicy, RectificationDuePolicy, WelcomeVisitPolicy, MilestonePolicy]


# --- quality checks (docs/domain.md, "Quality checks") -------------------------------------------
QUALITY_DEFECT_DUE = "quality.defect"
NIGHT_CHECKS_DUE = "quality.night_checks"


class QualityDefectPolicy(DeadlinePolicy):
    """A defect of the monthly or quarterly check: the office hears before its fix is due, the
    project manager and the quality department when it passes without a cause and a fix."""

    kind = QUALITY_DEFECT_DUE
    label = gettext_lazy("Quality defect")
    warning_roles = (Role.SUPERVISOR,)
    escalation_roles = {1: (Role.PROJECT_MANAGER, Role.QUALITY)}

    def assignees(self, deadline: Deadline) -> list:
        defect = deadline.subject
        return [defect.responsible] if defect is not None and defect.responsible else []


class NightChecksPolicy(DeadlinePolicy):
    """A month's night spot checks: the clock runs to the end of the month and is met once the
    month has its checks (and every weather warning its check); a month that ends short is
    flagged once to the project manager and the quality department (level 1 is the top)."""

    kind = NIGHT_CHECKS_DUE
    label = gettext_lazy("Night spot checks of the month")
    warning_roles = ()
    escalation_roles = {1: (Role.PROJECT_MANAGER, Role.QUALITY)}

    def ladder(self, estate_settings: EstateSettings) -> Ladder:
        return Ladder(warn_percent=0, step=dt.timedelta(hours=1), top_level=1)

    def message(self, deadline: Deadline, level: int) -> tuple[str, str]:
        month = deadline.subject
        if month is None:
            return super().message(deadline, level)
        what = {"month": month.month.strftime("%Y-%m"), "estate": month.estate.name}
        return (
            _("Night spot checks short: %(estate)s, %(month)s") % what,
            _(
                "%(month)s ended short of its night spot checks, or with a weather warning left "
                "unchecked."
            )
            % what,
        )


KINDS += [QUALITY_DEFECT_DUE, NIGHT_CHECKS_DUE]
POLICIES += [QualityDefectPolicy, NightChecksPolicy]
