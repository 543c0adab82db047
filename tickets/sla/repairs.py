"""Deadline policies of repairs: who is warned and who hears about each escalation level
(docs/architecture.md, Deadlines; docs/domain.md, Repairs)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from propserv.deadlines import DeadlinePolicy
from propserv.roles import Role
from tickets.rules import repairs as rules


class RepairPolicy(DeadlinePolicy):
    def assignees(self, deadline):
        repair = deadline.subject
        return [repair.technician] if repair is not None and repair.technician_id else []

    def subject_label(self, deadline) -> str:
        repair = deadline.subject
        if repair is None:
            return super().subject_label(deadline)
        urgent = "【急】" if repair.urgent else ""
        return f"{urgent}{repair.number} {repair.category.name} {repair.place}"


class RepairArrivalPolicy(RepairPolicy):
    kind = rules.ARRIVAL
    label = _("Repair arrival")

    def current_rule(self, deadline, estate_settings):
        repair = deadline.subject
        if deadline.rule.get("unit") != "minutes" or repair is None:
            return None  # an agreed visit time stays as agreed
        return rules.arrival_rule(urgent=repair.urgent, settings=estate_settings)

    def message(self, deadline, level: int) -> tuple[str, str]:
        """The arrival clock is about arriving, not finishing (issue 12, item 4)."""
        subject, _body = super().message(deadline, level)
        due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
        if level == 0:
            return subject, gettext("The technician should arrive by %(due)s.") % {"due": due}
        return subject, gettext(
            "The technician should have arrived by %(due)s and has not arrived yet."
        ) % {"due": due}


class RepairCompletionPolicy(RepairPolicy):
    kind = rules.COMPLETION
    label = _("Repair completion")

    def current_rule(self, deadline, estate_settings):
        repair = deadline.subject
        if deadline.rule.get("unit") != "hours" or repair is None:
            return None
        return rules.completion_rule(
            difficult=repair.difficulty == "difficult", settings=estate_settings
        )


class RepairCallbackPolicy(RepairPolicy):
    kind = rules.CALLBACK
    label = _("Repair callback")
    warning_roles = (Role.AREA_ADMIN,)

    def assignees(self, deadline):
        repair = deadline.subject
        callback = repair.callbacks.filter(status="pending").first() if repair is not None else None
        return [callback.assigned_to] if callback and callback.assigned_to_id else []

    def current_rule(self, deadline, estate_settings):
        return rules.callback_rule(settings=estate_settings)


POLICIES = [RepairArrivalPolicy, RepairCompletionPolicy, RepairCallbackPolicy]
