"""Pure complaint rules (docs/domain.md, Complaints): no ORM, `now` passed in.

The grade decides who is told (the report-up ladder) and how long handling may take; every
complaint, whatever its grade, is answered within N working days of the day it was received.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from propserv.roles import Role
from tickets.rules.callbacks import is_dissatisfied, is_satisfied

# Deadline kinds (Deadline.kind) of complaints.
REPLY = "complaint.reply"
REPORT = "complaint.report"
HANDLE = "complaint.handle"
CALLBACK = "complaint.callback"
KINDS = (REPLY, REPORT, HANDLE, CALLBACK)

MAJOR, IMPORTANT, MINOR, INVALID = "major", "important", "minor", "invalid"
EFFECTIVE_GRADES = (MAJOR, IMPORTANT, MINOR)
# A complaint by this many households or more is proposed as major (collective).
COLLECTIVE_HOUSEHOLDS = 3

__all__ = ["is_dissatisfied", "is_satisfied"]  # re-exported: the same scale for complaints

# Who a complaint of each grade is reported up to (the first rung of the ladder), and who hears
# about a breach after that (the second rung). Important: the supervisor *or* the project manager.
REPORT_TO: dict[str, tuple[str, ...]] = {
    MAJOR: (Role.QUALITY, Role.GM),
    IMPORTANT: (Role.SUPERVISOR, Role.PROJECT_MANAGER),
    MINOR: (Role.PROJECT_MANAGER,),
    INVALID: (Role.PROJECT_MANAGER,),
}
# A report-up is done when *all* of these groups were told; each inner tuple: any one of them.
REPORT_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    MAJOR: ((Role.QUALITY,), (Role.GM,)),
    IMPORTANT: ((Role.SUPERVISOR, Role.PROJECT_MANAGER),),
    MINOR: ((Role.PROJECT_MANAGER,),),
    INVALID: ((Role.PROJECT_MANAGER,),),
}
SECOND_RUNG: dict[str, tuple[str, ...]] = {
    MAJOR: (Role.QUALITY, Role.GM),
    IMPORTANT: (Role.GM,),
    MINOR: (Role.QUALITY,),
    INVALID: (Role.QUALITY,),
}
# Who may approve a longer handling time (None: the table allows no extension).
EXTENSION_APPROVERS: dict[str, tuple[str, ...] | None] = {
    MAJOR: None,
    IMPORTANT: (Role.GM,),
    MINOR: (Role.PROJECT_MANAGER, Role.GM),
    INVALID: None,
}


# --- grade proposal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    grade: str
    reasons: tuple[str, ...]  # reason codes, see REASON_LABELS


REASON_LABELS = {
    "collective": _("collective complaint by three or more households"),
    "injury_or_loss": _("injury or financial loss caused by management"),
    "promise_broken": _("a promised or contracted service repeatedly not delivered"),
    "developer": _("developer legacy or building quality: forward to after-sales"),
    "service_failure": _("a management or service failure"),
    "slight": _("slight inconvenience, not a human fault"),
}


def propose_grade(
    *,
    households: int,
    injury_or_loss: bool,
    promise_broken: bool,
    category: str,
    collective_threshold: int = 3,
) -> Proposal:
    """The grade the system suggests; staff choose the grade and say why."""
    major = []
    if households >= collective_threshold:
        major.append("collective")
    if injury_or_loss:
        major.append("injury_or_loss")
    if promise_broken:
        major.append("promise_broken")
    if major:
        return Proposal(MAJOR, tuple(major))
    if category == "developer":
        return Proposal(INVALID, ("developer",))
    if category in ("management", "staff", "efficiency"):
        return Proposal(IMPORTANT, ("service_failure",))
    return Proposal(MINOR, ("slight",))


# --- deadlines per grade --------------------------------------------------------------------------


def reply_rule(*, settings) -> dict:
    """Every complaint: end of the N-th working day after the day of receipt."""
    return {"unit": "working_days", "amount": settings.complaint_reply_working_days}


def report_rule(*, grade: str, settings) -> dict:
    """Report up: same day for major, minor and invalid; within an hour for important."""
    if grade == IMPORTANT:
        return {"unit": "minutes", "amount": settings.important_report_minutes}
    return {"unit": "same_day"}


def handle_rule(*, grade: str, settings, requested_at: dt.datetime | None = None) -> dict:
    """Handling (or, for major and invalid, answering) time of a grade. A minor complaint is
    handled within the days set or by the time the resident asked for."""
    if grade == MAJOR:
        return {"unit": "days", "amount": settings.major_handle_days}
    if grade == IMPORTANT:
        return {"unit": "days", "amount": settings.important_handle_days}
    if grade == MINOR:
        if requested_at is not None:
            return {"unit": "at", "due_at": requested_at.isoformat()}
        return {"unit": "days", "amount": settings.minor_handle_days}
    if grade == INVALID:
        return {"unit": "days", "amount": settings.invalid_reply_days}
    raise ValueError(f"unknown grade {grade!r}")


def callback_rule(*, settings) -> dict:
    return {"unit": "days", "amount": settings.complaint_callback_days}


def report_up_done(grade: str, reported_to: set[str]) -> bool:
    """Whether the roles told so far cover what the grade requires."""
    return all(set(group) & reported_to for group in REPORT_REQUIRED[grade])


def may_extend(grade: str, approver_roles: set[str], superuser: bool = False) -> bool:
    allowed = EXTENSION_APPROVERS.get(grade)
    if allowed is None:
        return False
    return superuser or bool(set(allowed) & approver_roles)


def is_upgrade_due(
    *, grade: str | None, open_: bool, received_at: dt.datetime, now: dt.datetime, days: int
) -> bool:
    """An effective complaint still unresolved after `days` (one month) becomes major."""
    return grade in (IMPORTANT, MINOR) and open_ and now - received_at >= dt.timedelta(days=days)
