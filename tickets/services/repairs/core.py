"""What every repair service shares: the row lock, the actor checks, the state move, and
`allowed_actions` for pages (docs/domain.md, Repairs)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from propserv.access import check_actor, works_for
from propserv.errors import InvalidTransition, NotAllowed
from propserv.roles import REPAIR_CALLERS, REPAIR_DESK, REPAIR_TECHNICIANS, has_role
from tickets.models import Repair, RepairEvent

FINISHED = (
    Repair.Status.COMPLETED,
    Repair.Status.CALLED_BACK,
    Repair.Status.CLOSED,
    Repair.Status.CANCELLED,
)


def cannot_become(repair: Repair, to: str, message=None) -> InvalidTransition:
    return InvalidTransition(
        message
        or _("A repair that is “%(status)s” cannot become “%(to)s”.")
        % {"status": repair.get_status_display(), "to": Repair.Status(to).label}
    )


def lock_repair(repair_id: int) -> Repair:
    """The repair row, locked for the caller's transaction (lock a repair before its callback)."""
    return (
        Repair.objects.select_for_update(of=("self",))
        .select_related("estate", "category", "unit")
        .get(pk=repair_id)
    )


# --- who may do what ------------------------------------------------------------------------------


def check_desk(actor, estate) -> None:
    check_actor(
        actor,
        estate=estate,
        roles=REPAIR_DESK,
        message=_(
            "Only the front desk, area administrators, supervisors and project managers may do this."
        ),
    )


def check_on_site(actor, repair: Repair) -> None:
    """The assigned technician, or the desk recording what the technician reported."""
    message = _("Only the technician assigned to this repair or the front desk may do this.")
    check_actor(
        actor, estate=repair.estate, roles=REPAIR_DESK | REPAIR_TECHNICIANS, message=message
    )
    if not (has_role(actor, REPAIR_DESK) or actor.pk == repair.technician_id):
        raise NotAllowed(message)


def check_caller(actor, repair: Repair) -> None:
    """The callback by the desk; None is the resident rating through their own signed link."""
    if actor is None:
        return
    message = _(
        "The callback is made by the administrators, not by the technician who did the work."
    )
    check_actor(actor, estate=repair.estate, roles=REPAIR_CALLERS, message=message)
    if actor.pk == repair.technician_id:
        raise NotAllowed(message)


def allowed_actions(repair: Repair, user) -> set[str]:
    """What `user` may do with `repair` now: the page offers only these (the services accept
    exactly these)."""
    if not works_for(user, repair.estate_id):
        return set()
    desk = has_role(user, REPAIR_DESK)
    on_site = desk or (user.pk == repair.technician_id and repair.technician_id is not None)
    status = repair.status
    moves = Repair.TRANSITIONS.get(status, set())
    S = Repair.Status
    actions = set()
    if desk and status not in FINISHED:
        actions.add("urgency")
    if desk and S.DISPATCHED in moves:
        actions.add("dispatch")
    if on_site:
        if S.ON_SITE in moves and status != S.ON_HOLD:
            actions.add("arrive")
        if status not in FINISHED and not repair.consent_at:
            actions.add("quote")
        if repair.chargeable and repair.quoted_amount is not None and not repair.consent_at:
            actions.add("consent")
        if S.IN_PROGRESS in moves and status != S.ON_HOLD:
            actions.add("start")
        if S.COMPLETED in moves:
            actions.add("complete")
        if S.ON_HOLD in moves:
            actions.add("hold")
        if status == S.ON_HOLD:
            actions.add("resume")
        if status not in (S.CLOSED, S.CANCELLED):
            actions.add("photo")
    if desk and S.CANCELLED in moves:
        actions.add("cancel")
    if desk and S.REOPENED in moves:
        actions.add("reopen")
    if status == S.COMPLETED and has_role(user, REPAIR_CALLERS) and user.pk != repair.technician_id:
        actions.add("callback")
    return actions


def move(repair: Repair, to: str, *, actor, at, action: str, note: str = "", data=None) -> None:
    if not repair.can_transition(to):
        raise cannot_become(repair, to)
    before = repair.status
    repair.status = to
    RepairEvent.record(
        repair,
        action=action,
        actor=actor,
        at=at,
        from_status=before,
        to_status=to,
        note=note,
        data=data,
    )
