"""What every complaint service shares: the row lock, the actor check, the state move, and
`allowed_actions` for pages (docs/domain.md, Complaints)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from propserv.access import check_actor, works_for
from propserv.errors import InvalidTransition
from propserv.roles import (
    CAN_DOWNGRADE_COMPLAINTS,
    CAN_GRADE_COMPLAINTS,
    COMPLAINT_HANDLERS,
    MAJOR_COMPLAINT_OWNER_NAMERS,
    has_role,
    user_roles,
)
from tickets.models import Complaint, ComplaintEvent
from tickets.rules import complaints as crules

COLLECTIVE_HOUSEHOLDS = crules.COLLECTIVE_HOUSEHOLDS


def check_handler(actor, estate, *, roles=COMPLAINT_HANDLERS) -> None:
    check_actor(
        actor,
        estate=estate,
        roles=roles,
        message=_(
            "Only the front desk, area administrators, supervisors, project managers, the "
            "quality department and the general manager may do this."
        ),
    )


def cannot_become(complaint: Complaint, to: str, message=None) -> InvalidTransition:
    return InvalidTransition(
        message
        or _("A complaint that is “%(status)s” cannot become “%(to)s”.")
        % {"status": complaint.get_status_display(), "to": Complaint.Status(to).label}
    )


def lock_complaint(complaint_id: int) -> Complaint:
    """The complaint row, locked for the caller's transaction (lock it before its callback)."""
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("estate", "unit")
        .get(pk=complaint_id)
    )


def move(complaint: Complaint, to: str, *, actor, at, action: str, note="", data=None) -> None:
    if not complaint.can_transition(to):
        raise cannot_become(complaint, to)
    before = complaint.status
    complaint.status = to
    ComplaintEvent.record(
        complaint,
        action=action,
        actor=actor,
        at=at,
        from_status=before,
        to_status=to,
        note=note,
        data=data,
    )


def allowed_actions(complaint: Complaint, user) -> set[str]:
    """What `user` may do with `complaint` now: the page offers only these."""
    if not works_for(user, complaint.estate_id) or not has_role(user, COMPLAINT_HANDLERS):
        return set()
    S = Complaint.Status
    actions = {"owner"}
    if complaint.status != S.CLOSED:
        if has_role(user, CAN_GRADE_COMPLAINTS):
            actions.add("grade")
        actions.add("reply")
    if complaint.grade:
        if not complaint.reported_up_at:
            actions.add("report")
        if complaint.status in (S.HANDLING, S.REOPENED):
            actions.add("handle")
        if complaint.status != S.CLOSED and crules.may_extend(
            complaint.grade, user_roles(user), user.is_superuser
        ):
            actions.add("extend")
    if complaint.grade == Complaint.Grade.MAJOR and not has_role(
        user, MAJOR_COMPLAINT_OWNER_NAMERS
    ):
        actions.discard("owner")
    return actions


def label(complaint: Complaint) -> str:
    return f"{complaint.number} {complaint.get_category_display()} {complaint.who}"


# --- intake ---------------------------------------------------------------------------------------


def grades_allowed(complaint: Complaint, actor) -> list[str]:
    """The grades `actor` may give `complaint` now: a major (or upgraded) complaint is lowered
    only by the quality department or the general manager."""
    locked_high = complaint.grade == Complaint.Grade.MAJOR or complaint.upgraded_at is not None
    if locked_high and not has_role(actor, CAN_DOWNGRADE_COMPLAINTS):
        return [Complaint.Grade.MAJOR]
    return list(Complaint.Grade.values)
