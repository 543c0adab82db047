"""Callbacks (回访) of repairs and complaints: who calls, each attempt, and the second handling a
dissatisfied resident gets (docs/domain.md, Callbacks).

This is the lowest layer of the tickets services (with `second_handlings`): it imports neither
the repair nor the complaint services; they call it. The outcome of a call closes or reopens a ticket, so it is recorded by the
ticket's own service (`repair_record_callback`, `complaint_record_callback`), which uses the
`do_*` helpers here inside its transaction; `tickets.services.queue.callback_complete` routes a
callback from the queue to the right one. The callback clock is met only by a completed callback,
never by an attempt.

Public services check the actor (`check_*`, propserv.access) and lock the callback; the `do_*`
helpers assume their caller did both and run inside its transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, staff_of, staff_or_none, works_for
from propserv.deadlines import deadline_open
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Resident
from propserv.notifications import notify
from propserv.roles import (
    CALLBACK_CALLERS,
    REPAIR_CALLERS,
    Role,
    has_role,
)
from tickets.models import (
    Callback,
    CallbackAttempt,
    Complaint,
    ComplaintEvent,
    RepairEvent,
)
from tickets.rules import complaints as crules
from tickets.rules.intake import DOUBLE_SUBMIT_WINDOW


def in_transaction() -> None:
    assert transaction.get_connection().in_atomic_block, "call inside the caller's transaction"


def names(*users) -> list[str]:
    return [u.get_full_name() or u.username for u in users if u]


def ticket_event(callback: Callback, *, action: str, actor, at, note: str = "", data=None):
    """The callback's steps also go on the repair's or complaint's own timeline (a routine
    callback has none: its attempts are its record)."""
    if callback.is_routine:
        return
    if callback.repair_id:
        RepairEvent.record(callback.repair, action=action, actor=actor, at=at, note=note, data=data)
    else:
        ComplaintEvent.record(
            callback.complaint, action=action, actor=actor, at=at, note=note, data=data
        )


def default_callers(estate, *, complaint: Complaint | None = None) -> tuple:
    """(who calls, together with): major complaints the project manager; other complaints the
    department supervisor with the area administrator; repairs the area administrator."""
    admin = staff_of(estate, Role.AREA_ADMIN).first()
    if complaint is None:
        return admin, None
    if complaint.grade == Complaint.Grade.MAJOR:
        return staff_of(estate, Role.PROJECT_MANAGER).first(), None
    supervisor = staff_of(estate, Role.SUPERVISOR).first()
    return (supervisor or admin), (admin if supervisor else None)


# --- who may call ---------------------------------------------------------------------------------


def may_call(user, callback: Callback) -> bool:
    """A repair callback: the desk, never the technician who did the work. A complaint callback:
    the callers assigned, area administrators, supervisors and project managers."""
    if not works_for(user, callback.estate_id):
        return False
    if callback.repair_id:
        return has_role(user, REPAIR_CALLERS) and user.pk != callback.repair.technician_id
    if user.pk in (callback.assigned_to_id, callback.second_caller_id):
        return True
    return has_role(user, CALLBACK_CALLERS)


def check_caller(actor, callback: Callback) -> None:
    check_actor(
        actor,
        estate=callback.estate,
        roles=REPAIR_CALLERS | CALLBACK_CALLERS,
        message=_(
            "The callback is made by the administrators, not by the technician who did the work."
        ),
    )
    if not may_call(actor, callback):
        if callback.repair_id:
            raise NotAllowed(
                _(
                    "The callback is made by the administrators, not by the technician who did "
                    "the work."
                )
            )
        raise NotAllowed(
            _(
                "The callback is made by the callers assigned, an area administrator, a "
                "supervisor or the project manager."
            )
        )


def allowed_actions(callback: Callback, user) -> set[str]:
    """What `user` may do with `callback` now (the page offers only these)."""
    if callback.status != Callback.Status.PENDING:
        return set()
    actions = set()
    if may_call(user, callback):
        actions |= {"attempt", "complete"}
    if works_for(user, callback.estate_id) and has_role(user, CALLBACK_CALLERS):
        actions.add("assign")
    return actions


# --- locks ------------------------------------------------------------------------------------------


def lock_callback(callback_id: int) -> Callback:
    """The callback row, locked for the caller's transaction. Lock its ticket first (repairs
    and complaints do), then the callback."""
    return (
        Callback.objects.select_for_update(of=("self",))
        .select_related("estate", "repair", "complaint")
        .get(pk=callback_id)
    )


def _not_pending() -> InvalidTransition:
    return InvalidTransition(_("This callback has already been completed or cancelled."))


# --- opening ----------------------------------------------------------------------------------------


def do_open_complaint_callback(*, complaint: Complaint, actor, at: dt.datetime) -> Callback:
    """Inside `complaint_mark_handled`: the callback is due within N days."""
    in_transaction()
    existing = Callback.objects.filter(complaint=complaint, status=Callback.Status.PENDING).first()
    if existing:
        return existing
    deadline = deadline_open(
        subject=complaint,
        estate=complaint.estate,
        kind=crules.CALLBACK,
        started_at=at,
        now=at,
        rule=crules.callback_rule(settings=complaint.estate.service_settings),
    )
    caller, second = default_callers(complaint.estate, complaint=complaint)
    callback = Callback.objects.create(
        estate=complaint.estate,
        complaint=complaint,
        due_at=deadline.due_at,
        assigned_to=caller,
        second_caller=second,
    )
    ticket_event(
        callback,
        action="callback_due",
        actor=actor,
        at=at,
        data={
            "callback": callback.pk,
            "due_at": deadline.due_at.isoformat(),
            "callers": names(caller, second),
        },
    )
    notify(
        [u for u in (caller, second) if u],
        title=_("Callback due: %(what)s") % {"what": str(complaint)},
        body=_("Call the complainant back by %(due)s.")
        % {"due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")},
        url=callback.get_absolute_url(),
        estate=complaint.estate,
        dedupe_key=f"callback:{callback.pk}:due",
    )
    return callback


# --- callers and attempts ---------------------------------------------------------------------------


@transaction.atomic
def callback_assign(
    *, callback_id: int, assigned_to, actor, second_caller=None, at=None
) -> Callback:
    """Override who calls (the defaults follow the grade and the kind of ticket)."""
    at = at or timezone.now()
    callback = lock_callback(callback_id)
    check_actor(
        actor,
        estate=callback.estate,
        roles=CALLBACK_CALLERS,
        message=_(
            "Only an area administrator, a supervisor or the project manager may choose who "
            "calls back."
        ),
    )
    if callback.status != Callback.Status.PENDING:
        raise _not_pending()
    for user in (assigned_to, second_caller):
        if user is not None and not works_for(user, callback.estate_id):
            raise ValidationError({"assigned_to": _("Choose a colleague of this estate.")})
        if user is not None and not has_role(user, CALLBACK_CALLERS):
            raise ValidationError(
                {
                    "assigned_to": _(
                        "Callbacks are made by area administrators, supervisors or project "
                        "managers."
                    )
                }
            )
    if second_caller is not None and second_caller.pk == assigned_to.pk:
        second_caller = None
    if callback.assigned_to_id == assigned_to.pk and callback.second_caller_id == (
        second_caller.pk if second_caller else None
    ):
        return callback
    callback.assigned_to, callback.second_caller = assigned_to, second_caller
    callback.save(update_fields=["assigned_to", "second_caller"])
    ticket_event(
        callback,
        action="callback_assigned",
        actor=actor,
        at=at,
        data={"callback": callback.pk, "callers": names(assigned_to, second_caller)},
    )
    notify(
        [assigned_to, *([second_caller] if second_caller else [])],
        title=_("Callback for you: %(what)s") % {"what": callback.subject},
        url=callback.get_absolute_url(),
        estate=callback.estate,
        dedupe_key=f"callback:{callback.pk}:assigned:{assigned_to.pk}:{at.isoformat()}",
    )
    return callback


@transaction.atomic
def callback_record_attempt(
    *, callback_id: int, outcome: str, actor, note: str = "", at=None
) -> CallbackAttempt:
    """One try to reach the resident. A wrong number is flagged on the resident record; the
    callback clock keeps running (only a completed callback meets it)."""
    at = at or timezone.now()
    callback = lock_callback(callback_id)
    check_caller(actor, callback)
    if outcome not in CallbackAttempt.Outcome.values:
        raise ValidationError({"outcome": _("Choose reached, no answer or wrong number.")})
    if callback.status != Callback.Status.PENDING:
        raise _not_pending()
    note = note.strip()[:200]
    actor_user = staff_or_none(actor)
    if actor_user is not None:
        same = (
            callback.attempts.filter(
                actor=actor_user,
                outcome=outcome,
                note=note,
                at__gte=at - DOUBLE_SUBMIT_WINDOW,
                at__lte=at + DOUBLE_SUBMIT_WINDOW,
            )
            .order_by("-at", "-pk")
            .first()
        )
        if same is not None:
            return same  # a double submit: the attempt is already on record
    attempt = CallbackAttempt.objects.create(
        callback=callback, at=at, actor=actor_user, outcome=outcome, note=note
    )
    flagged = []
    if outcome == CallbackAttempt.Outcome.WRONG_NUMBER:
        flagged = _flag_wrong_number(callback)
    ticket_event(
        callback,
        action="callback_attempt",
        actor=actor,
        at=at,
        note=note,
        data={"callback": callback.pk, "outcome": outcome, "flagged": flagged},
    )
    return attempt


def _flag_wrong_number(callback: Callback) -> list[int]:
    """Mark the number known to be wrong on the resident (and on any resident of the unit with
    that number), so notices and the next callback do not use it blindly (docs/domain.md,
    Callbacks)."""
    phone = callback.phone
    ids = set()
    if callback.resident is not None:
        ids.add(callback.resident.pk)
    unit_id = callback.unit_id if callback.is_routine else callback.ticket.unit_id
    if phone and unit_id:
        ids |= set(
            Resident.objects.filter(unit_id=unit_id, phone=phone).values_list("pk", flat=True)
        )
    flagged = []
    for resident in Resident.objects.filter(pk__in=ids).select_for_update().order_by("pk"):
        if not resident.phone_invalid:
            resident.phone_invalid = True
            resident.save(update_fields=["phone_invalid"])
        flagged.append(resident.pk)
    return flagged


def do_note_reached(callback: Callback, *, actor, at) -> None:
    """Completing a callback means the resident was reached: record that attempt unless the last
    one says so already."""
    in_transaction()
    last = callback.attempts.order_by("-at", "-id").first()
    if last is None or last.outcome != CallbackAttempt.Outcome.REACHED:
        CallbackAttempt.objects.create(
            callback=callback,
            at=at,
            actor=staff_or_none(actor),
            outcome=CallbackAttempt.Outcome.REACHED,
        )


def do_record_outcome(
    callback: Callback,
    *,
    satisfaction: int,
    actor,
    comment: str = "",
    confirmed_by_resident: bool = False,
    channel: str = "phone",
    at,
) -> Callback:
    """The callback done (the ticket's service closes or reopens the ticket around it)."""
    in_transaction()
    callback.status, callback.satisfaction = Callback.Status.DONE, int(satisfaction)
    callback.comment, callback.confirmed_by_resident = comment.strip(), confirmed_by_resident
    callback.channel, callback.completed_at = channel, at
    callback.completed_by = staff_or_none(actor)
    callback.save()
    return callback


def check_satisfaction(satisfaction) -> int:
    try:
        score = int(satisfaction)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"satisfaction": _("Satisfaction is a score from 1 to 5.")})
    return score
