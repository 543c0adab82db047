"""Deadline policies of the front desk: who hears about a promise that is running late."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from propserv.deadlines import DeadlinePolicy, Ladder
from propserv.roles import Role
from visits import rules


class AnswerPolicy(DeadlinePolicy):
    """The answer promised to a resident ("leave the time to yourself"): the owner is warned,
    the supervisor hears of a miss, then the project manager."""

    kind = rules.ANSWER
    label = _("Promised answer")
    warning_roles = ()

    def assignees(self, deadline):
        visit = deadline.subject
        return [visit.owner] if visit is not None and visit.owner_id else []


class HandoverAckPolicy(DeadlinePolicy):
    """An unacknowledged shift handover: the people it is addressed to are reminded (the whole
    front desk when it names nobody), then the supervisor hears of it."""

    kind = rules.HANDOVER_ACK
    label = _("Shift handover not acknowledged")
    warning_roles = (Role.FRONT_DESK,)

    def recipients(self, deadline, level: int) -> list:
        handover = deadline.subject
        if level == 0 and handover is not None and handover.recipients.exists():
            return list(handover.recipients.all())
        return super().recipients(deadline, level)

    def current_rule(self, deadline, estate_settings):
        return {"unit": "minutes", "amount": estate_settings.handover_ack_minutes}


class DefectSendPolicy(DeadlinePolicy):
    kind = rules.DEFECT_SEND
    label = _("Defect rework form to the developer")


class EmergencyNoticePolicy(DeadlinePolicy):
    kind = rules.EMERGENCY_NOTICE
    label = _("Emergency notice to post")
    warning_roles = (Role.FRONT_DESK, Role.SUPERVISOR)
    escalation_roles = {1: (Role.SUPERVISOR, Role.PROJECT_MANAGER), 2: (Role.GM,)}

    def current_rule(self, deadline, estate_settings):
        return {"unit": "minutes", "amount": estate_settings.emergency_notice_minutes}


# Registered in the app's AppConfig.ready (propserv.registry).
POLICIES = [AnswerPolicy, HandoverAckPolicy, DefectSendPolicy, EmergencyNoticePolicy]


# --- common-area patrols (visits.services.patrols) -------------------------------------------
COMMON_PATROL = "visits.common_patrol"  # a morning or afternoon round recorded in time


class CommonPatrolPolicy(DeadlinePolicy):
    """A round not recorded by `common_patrol_morning_by` / `common_patrol_afternoon_by`: no
    warning; the supervisor hears of it once (level 1 is the top)."""

    kind = COMMON_PATROL
    label = _("Common-area patrol")
    warning_roles = ()
    escalation_roles = {1: (Role.SUPERVISOR,)}

    def ladder(self, estate_settings):
        return Ladder(warn_percent=0, step=dt.timedelta(hours=1), top_level=1)

    def message(self, deadline, level: int) -> tuple[str, str]:
        patrol = deadline.subject
        if patrol is None:
            return super().message(deadline, level)
        what = {
            "slot": patrol.get_slot_display(),
            "day": patrol.day.isoformat(),
            "due": timezone.localtime(patrol.due_at).strftime("%H:%M"),
        }
        return (
            _t("Common-area patrol missed: %(slot)s of %(day)s") % what,
            _t("The %(slot)s of %(day)s was not recorded by %(due)s.") % what,
        )


POLICIES.append(CommonPatrolPolicy)
