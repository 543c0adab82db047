"""Deadline policies of satisfaction surveys: questionnaires issued, returns collected, results
published and the open letter written, each within the estate's days (docs/domain.md,
"Satisfaction surveys"). The supervisor hears first, then the project manager, then the quality
department."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.deadlines import DeadlinePolicy
from propserv.roles import Role
from tickets.rules import surveys as rules


class SurveyPolicy(DeadlinePolicy):
    warning_roles = (Role.SUPERVISOR,)
    escalation_roles = {
        1: (Role.SUPERVISOR, Role.PROJECT_MANAGER),
        2: (Role.QUALITY,),
    }
    rule_of = staticmethod(rules.issue_rule)

    def current_rule(self, deadline, estate_settings):
        return self.rule_of(estate_settings)


class SurveyIssuePolicy(SurveyPolicy):
    kind = rules.ISSUE
    label = _("Survey questionnaires issued")
    rule_of = staticmethod(rules.issue_rule)


class SurveyReturnPolicy(SurveyPolicy):
    kind = rules.RETURN
    label = _("Survey questionnaires returned")
    rule_of = staticmethod(rules.return_rule)


class SurveyResultsPolicy(SurveyPolicy):
    kind = rules.RESULTS
    label = _("Survey results published")
    rule_of = staticmethod(rules.results_rule)


class SurveyLetterPolicy(SurveyPolicy):
    kind = rules.LETTER
    label = _("Open letter after the survey")
    rule_of = staticmethod(rules.letter_rule)


POLICIES = [SurveyIssuePolicy, SurveyReturnPolicy, SurveyResultsPolicy, SurveyLetterPolicy]
