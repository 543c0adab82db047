"""The overdue chase of key loans, run by the core deadline engine (propserv.deadlines;
docs/domain.md, Keys; docs/architecture.md, "Deadlines").

Levels: 0 – a warning before the loan is due, to the borrower's contact and the front desk;
1 – at the due time, to the same people; 2 – `key_overdue_escalate_days` later, to the
customer-service supervisor, and that is the last level. The policy owns this ladder: opening a
loan's clock and recomputing it after an estate-settings save both ask `ladder()`, so the step
is never the repair escalation step.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propserv.deadlines import DeadlinePolicy, Ladder
from propserv.models import Deadline, EstateSettings
from propserv.roles import Role

LOAN_RETURN = "key.loan_return"


class KeyLoanReturnPolicy(DeadlinePolicy):
    kind = LOAN_RETURN
    label = gettext_lazy("Key loan")
    warning_roles = (Role.FRONT_DESK,)
    escalation_roles = {1: (Role.FRONT_DESK,), 2: (Role.SUPERVISOR,)}

    def ladder(self, estate_settings: EstateSettings) -> Ladder:
        """The supervisor hears `key_overdue_escalate_days` after the breach; level 2 is the top."""
        return Ladder(
            warn_percent=estate_settings.deadline_warn_percent,
            step=dt.timedelta(days=estate_settings.key_overdue_escalate_days),
            top_level=2,
        )

    def assignees(self, deadline: Deadline) -> list:
        """The borrower's contact: the staff borrower themself; for a contractor, the staff
        member who liaises with it (or who lent the key)."""
        loan = deadline.subject
        if loan is None:
            return []
        if loan.borrower_staff_id:
            return [loan.borrower_staff]
        liaison = loan.borrower_person.contractor.liaison
        return [liaison or loan.lent_by]

    def recipients(self, deadline: Deadline, level: int) -> list:
        people = super().recipients(deadline, level)
        if level == 1:
            people = [*self.assignees(deadline), *people]
        return people

    def message(self, deadline: Deadline, level: int) -> tuple[str, str]:
        loan = deadline.subject
        if loan is None:
            return super().message(deadline, level)
        what = {
            "tag": loan.key.tag_code,
            "opens": loan.key.opens,
            "name": loan.borrower_name,
            "lent": timezone.localtime(loan.lent_at).strftime("%m-%d %H:%M"),
            "due": timezone.localtime(deadline.due_at).strftime("%m-%d %H:%M"),
        }
        if level == 0:
            return (
                _("Key due back soon: %(tag)s (%(opens)s)") % what,
                _("On loan to %(name)s since %(lent)s, due back at %(due)s.") % what,
            )
        if level == 1:
            return (
                _("Key overdue: %(tag)s (%(opens)s)") % what,
                _(
                    "On loan to %(name)s since %(lent)s, was due back at %(due)s. Chase the borrower."
                )
                % what,
            )
        return (
            _("Key still overdue: %(tag)s (%(opens)s)") % what,
            _("On loan to %(name)s since %(lent)s, due back at %(due)s and still not returned.")
            % what,
        )


# Every deadline kind keys opens, declared in the app's AppConfig.ready (propserv.registry).
KINDS = [LOAN_RETURN]
# Registered in the app's AppConfig.ready (propserv.registry).
POLICIES = [KeyLoanReturnPolicy]
