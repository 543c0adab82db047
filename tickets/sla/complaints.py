"""Deadline policies of complaints and callbacks: who is warned, who hears about each breach.

The ladder follows the grade (docs/domain.md, Complaints; docs/architecture.md, Deadlines): a breach goes first to the people the grade is
reported to (quality dept + GM for major; supervisor / project manager for important; project
manager for minor and invalid), then one rung up.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.access import staff_of
from propserv.deadlines import DeadlinePolicy
from propserv.roles import Role
from tickets.rules import callbacks as cbrules
from tickets.rules import complaints as crules


class ComplaintPolicy(DeadlinePolicy):
    def assignees(self, deadline):
        complaint = deadline.subject
        return [complaint.owner] if complaint is not None and complaint.owner_id else []

    def subject_label(self, deadline) -> str:
        complaint = deadline.subject
        if complaint is None:
            return super().subject_label(deadline)
        grade = f"【{complaint.get_grade_display()}】" if complaint.grade else ""
        return f"{grade}{complaint.number} {complaint.get_category_display()} {complaint.who}"

    def recipients(self, deadline, level: int) -> list:
        complaint = deadline.subject
        if level == 0 or complaint is None or not complaint.grade:
            return super().recipients(deadline, level)
        ladder = crules.REPORT_TO if level == 1 else crules.SECOND_RUNG
        roles = ladder[complaint.grade]
        if level == 1:
            roles = (*roles, Role.SUPERVISOR)
        return [*self.assignees(deadline), *staff_of(deadline.estate, *roles)]


class ComplaintReplyPolicy(ComplaintPolicy):
    kind = crules.REPLY
    label = _("Complaint reply")

    def current_rule(self, deadline, estate_settings):
        return crules.reply_rule(settings=estate_settings)


class ComplaintReportPolicy(ComplaintPolicy):
    kind = crules.REPORT
    label = _("Complaint report-up")

    def current_rule(self, deadline, estate_settings):
        complaint = deadline.subject
        if complaint is None or not complaint.grade:
            return None
        return crules.report_rule(grade=complaint.grade, settings=estate_settings)


class ComplaintHandlePolicy(ComplaintPolicy):
    kind = crules.HANDLE
    label = _("Complaint handling")

    def current_rule(self, deadline, estate_settings):
        complaint = deadline.subject
        if complaint is None or not complaint.grade or deadline.rule.get("unit") == "at":
            return None  # a resident's requested time or an approved extension stays
        return crules.handle_rule(grade=complaint.grade, settings=estate_settings)


class ComplaintCallbackPolicy(ComplaintPolicy):
    kind = crules.CALLBACK
    label = _("Complaint callback")
    warning_roles = (Role.AREA_ADMIN,)

    def assignees(self, deadline):
        complaint = deadline.subject
        callback = (
            complaint.callbacks.filter(status="pending").first() if complaint is not None else None
        )
        if callback is None:
            return []
        return [u for u in (callback.assigned_to, callback.second_caller) if u is not None]

    def current_rule(self, deadline, estate_settings):
        return crules.callback_rule(settings=estate_settings)


class SecondHandlingPolicy(DeadlinePolicy):
    kind = cbrules.SECOND_HANDLING
    label = _("Second handling after a dissatisfied callback")
    escalation_roles = {1: (Role.SUPERVISOR, Role.PROJECT_MANAGER), 2: (Role.GM,)}

    def assignees(self, deadline):
        second = deadline.subject
        if second is None:
            return []
        return [u for u in (second.area_admin, second.department_head) if u is not None]

    def subject_label(self, deadline) -> str:
        second = deadline.subject
        if second is None or second.ticket is None:
            return super().subject_label(deadline)
        return str(second.ticket)


POLICIES = [
    ComplaintReplyPolicy,
    ComplaintReportPolicy,
    ComplaintHandlePolicy,
    ComplaintCallbackPolicy,
    SecondHandlingPolicy,
]
