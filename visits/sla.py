"""Deadline policies of the front desk: who hears about a promise that is running late."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.deadlines import DeadlinePolicy
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
