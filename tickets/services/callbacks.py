"""Callbacks (回访) of repairs and complaints: who calls, each attempt, the outcome, and the
second handling a dissatisfied resident gets.

A repair callback is opened by `repair_complete` (48 h clock on the repair) and its outcome is
recorded by `repair_record_callback`; `callback_complete` routes a repair callback there, so the
web, the API and the queue all run the same rules. A complaint callback is opened here when the
complaint is handled. The callback clock is met only by a completed callback, never by an attempt.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of, staff_or_none
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.models import Resident
from propserv.notifications import notify
from propserv.roles import Role, has_role
from tickets import complaint_rules as crules
from tickets import rules as repair_rules
from tickets.models import (
    Callback,
    CallbackAttempt,
    Complaint,
    ComplaintEvent,
    RepairEvent,
    SecondHandling,
)
from tickets.services import complaints as complaint_services
from tickets.services import repairs as repair_services


def _ticket_event(callback: Callback, *, action: str, actor, at, note: str = "", data=None):
    """The callback's steps also go on the repair's or complaint's own timeline."""
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


# Who calls back (DOMAIN.md §4): the callers assigned, the area administrators, the supervisors and
# the project managers; never a technician, a patrol guard or finance.
CALLER_ROLES = (Role.AREA_ADMIN, Role.SUPERVISOR, Role.PROJECT_MANAGER)
# Who handles a dissatisfied case again: the area administrator and the department head.
SECOND_HANDLING_ROLES = (Role.AREA_ADMIN, Role.SUPERVISOR, Role.PROJECT_MANAGER)


def _require_caller(actor, callback: Callback) -> None:
    if actor is not None and actor.pk in (callback.assigned_to_id, callback.second_caller_id):
        return
    if not has_role(actor, *CALLER_ROLES):
        raise PermissionDenied(
            _(
                "The callback is made by the callers assigned, an area administrator, a "
                "supervisor or the project manager."
            )
        )


def _require_assigner(actor) -> None:
    if not has_role(actor, *CALLER_ROLES):
        raise PermissionDenied(
            _(
                "Only an area administrator, a supervisor or the project manager may choose who "
                "calls back."
            )
        )


def _locked(callback_id: int) -> Callback:
    return (
        Callback.objects.select_for_update(of=("self",))
        .select_related("estate", "repair", "complaint")
        .get(pk=callback_id)
    )


def callback_open_for_complaint(*, complaint: Complaint, actor, at: dt.datetime) -> Callback:
    """Called inside `complaint_mark_handled`: the callback is due within N days."""
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
    _ticket_event(
        callback,
        action="callback_due",
        actor=actor,
        at=at,
        note=" / ".join(u.get_full_name() or u.username for u in (caller, second) if u),
        data={"callback": callback.pk, "due_at": deadline.due_at.isoformat()},
    )
    recipients = [u for u in (caller, second) if u]
    notify(
        recipients,
        title=_("Callback due: %(what)s") % {"what": str(complaint)},
        body=_("Call the complainant back by %(due)s.")
        % {"due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")},
        url=callback.get_absolute_url(),
        estate=complaint.estate,
        dedupe_key=f"callback:{callback.pk}:due",
    )
    return callback


def _staff_of(estate, user) -> bool:
    return (
        user is not None
        and user.is_active
        and get_user_model().objects.filter(pk=user.pk, staff__estates=estate).exists()
    )


def _not_pending(callback: Callback) -> complaint_services.TransitionError:
    return complaint_services.TransitionError(
        callback.complaint, "", _("This callback has already been completed or cancelled.")
    )


@transaction.atomic
def callback_assign(
    *, callback_id: int, assigned_to, actor, second_caller=None, at=None
) -> Callback:
    """Override who calls (the defaults follow the grade and the kind of ticket)."""
    at = at or timezone.now()
    _require_assigner(actor)
    callback = _locked(callback_id)
    if callback.status != Callback.Status.PENDING:
        raise _not_pending(callback)
    for user in (assigned_to, second_caller):
        if user is not None and not _staff_of(callback.estate, user):
            raise ValidationError({"assigned_to": _("Choose a colleague of this estate.")})
        if user is not None and not has_role(user, *CALLER_ROLES):
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
    _ticket_event(
        callback,
        action="callback_assigned",
        actor=actor,
        at=at,
        note=" / ".join(u.get_full_name() or u.username for u in (assigned_to, second_caller) if u),
        data={"callback": callback.pk},
    )
    notify(
        [assigned_to, *([second_caller] if second_caller else [])],
        title=_("Callback for you: %(what)s") % {"what": str(callback.ticket)},
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
    callback = _locked(callback_id)
    if outcome not in CallbackAttempt.Outcome.values:
        raise ValidationError({"outcome": _("Choose reached, no answer or wrong number.")})
    if callback.status != Callback.Status.PENDING:
        raise _not_pending(callback)
    if callback.complaint_id:  # a repair callback follows the repair's own rules
        _require_caller(actor, callback)
    note = note.strip()[:200]
    actor_user = staff_or_none(actor)
    if actor_user is not None:
        same = (
            callback.attempts.filter(
                actor=actor_user,
                outcome=outcome,
                note=note,
                at__gte=at - complaint_services.DOUBLE_SUBMIT_WINDOW,
                at__lte=at + complaint_services.DOUBLE_SUBMIT_WINDOW,
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
    _ticket_event(
        callback,
        action="callback_attempt",
        actor=actor,
        at=at,
        note=f"{CallbackAttempt.Outcome(outcome).label} {note}".strip(),
        data={"callback": callback.pk, "outcome": outcome, "flagged": flagged},
    )
    return attempt


def _flag_wrong_number(callback: Callback) -> list[int]:
    """Mark the number known to be wrong on the resident (and on any resident of the unit with
    that number), so notices and the next callback do not use it blindly (DOMAIN.md §8)."""
    phone = callback.phone
    ids = set()
    if callback.resident is not None:
        ids.add(callback.resident.pk)
    ticket = callback.ticket
    if phone and ticket.unit_id:
        ids |= set(
            Resident.objects.filter(unit_id=ticket.unit_id, phone=phone).values_list(
                "pk", flat=True
            )
        )
    flagged = []
    for resident in Resident.objects.filter(pk__in=ids).select_for_update().order_by("pk"):
        if not resident.phone_invalid:
            resident.phone_invalid = True
            resident.save(update_fields=["phone_invalid"])
        flagged.append(resident.pk)
    return flagged


@transaction.atomic
def callback_complete(
    *,
    callback_id: int,
    satisfaction: int,
    actor,
    comment: str = "",
    confirmed_by_resident: bool = False,
    channel: str = "phone",
    at=None,
) -> Callback:
    """The resident reached and asked: satisfaction 1–5, comment, confirmation. Satisfied closes
    the ticket; dissatisfied (≤ 2) reopens it and opens a second handling."""
    at = at or timezone.now()
    try:
        satisfaction = int(satisfaction)
    except (TypeError, ValueError):
        satisfaction = 0
    if not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": _("Satisfaction is a score from 1 to 5.")})
    # Lock the ticket before its callback, the order the repair and complaint services use.
    found = Callback.objects.only("repair_id", "complaint_id").get(pk=callback_id)
    if found.repair_id:
        repair_services._locked(found.repair_id)  # the repair service's own row lock
    else:
        complaint = complaint_services.locked(found.complaint_id)
    callback = _locked(callback_id)
    if callback.status == Callback.Status.DONE:
        return callback  # a double submit
    if callback.status != Callback.Status.PENDING:
        raise _not_pending(callback)
    if callback.complaint_id:  # a repair callback: repair_record_callback checks the caller
        _require_caller(actor, callback)
    last = callback.attempts.order_by("-at", "-id").first()
    if last is None or last.outcome != CallbackAttempt.Outcome.REACHED:
        CallbackAttempt.objects.create(
            callback=callback,
            at=at,
            actor=staff_or_none(actor),
            outcome=CallbackAttempt.Outcome.REACHED,
        )
    if callback.repair_id:
        # The repair's own service closes or reopens the repair (and opens the second handling).
        repair_services.repair_record_callback(
            repair_id=callback.repair_id,
            satisfaction=satisfaction,
            actor=actor,
            comment=comment,
            confirmed_by_resident=confirmed_by_resident,
            channel=channel,
            at=at,
        )
        callback.refresh_from_db()
        return callback
    callback.status, callback.satisfaction = Callback.Status.DONE, satisfaction
    callback.comment, callback.confirmed_by_resident = comment.strip(), confirmed_by_resident
    callback.channel, callback.completed_at = channel, at
    callback.completed_by = staff_or_none(actor)
    callback.save()
    deadline_meet(subject=complaint, kind=crules.CALLBACK, at=at)
    ComplaintEvent.record(
        complaint,
        action="called_back",
        actor=actor,
        at=at,
        note=comment.strip(),
        data={
            "callback": callback.pk,
            "satisfaction": satisfaction,
            "confirmed": confirmed_by_resident,
        },
    )
    if crules.is_dissatisfied(satisfaction):
        complaint_services.move(
            complaint,
            Complaint.Status.REOPENED,
            actor=actor,
            at=at,
            action="reopened",
            note=_("Complainant dissatisfied at callback (%(score)s/5): %(comment)s")
            % {"score": satisfaction, "comment": comment},
        )
        complaint.reopen_count += 1
        complaint.closed_at = None
        complaint.save(update_fields=["status", "reopen_count", "closed_at"])
        second_handling_open(callback_id=callback.pk, actor=actor, at=at)
    else:
        complaint_services.move(
            complaint, Complaint.Status.CLOSED, actor=actor, at=at, action="closed"
        )
        complaint.closed_at = at
        complaint.save(update_fields=["status", "closed_at"])
        deadline_cancel(subject=complaint, at=at)  # nothing runs on a closed complaint
    return callback


# --- second handling ------------------------------------------------------------------------------


def second_handling_open(*, callback_id: int, actor, at: dt.datetime) -> SecondHandling:
    """A dissatisfied callback: the area administrator and the department head handle it again,
    with its own deadline (the grade's handling time; for a repair, its completion time)."""
    callback = Callback.objects.select_related("estate", "repair", "complaint").get(pk=callback_id)
    existing = SecondHandling.objects.filter(callback=callback).first()
    if existing:
        return existing
    estate = callback.estate
    settings_row = estate.service_settings
    if callback.repair_id:
        rule = repair_rules.completion_rule(
            difficult=callback.repair.difficulty == "difficult", settings=settings_row
        )
    else:
        rule = crules.handle_rule(grade=callback.complaint.grade or "minor", settings=settings_row)
    admin = callback.second_caller if callback.second_caller_id else None
    if admin is None or not admin.groups.filter(name=Role.AREA_ADMIN).exists():
        admin = staff_of(estate, Role.AREA_ADMIN).first()
    head = staff_of(estate, Role.SUPERVISOR).first()
    second = SecondHandling(
        estate=estate,
        callback=callback,
        repair=callback.repair,
        complaint=callback.complaint,
        area_admin=admin,
        department_head=head,
        due_at=at,  # set from the deadline below
        created_at=at,
    )
    second.save()
    deadline = deadline_open(
        subject=second,
        estate=estate,
        kind=crules.SECOND_HANDLING,
        started_at=at,
        now=at,
        rule=rule,
    )
    second.due_at = deadline.due_at
    second.save(update_fields=["due_at"])
    _ticket_event(
        callback,
        action="second_handling",
        actor=actor,
        at=at,
        note=" / ".join(u.get_full_name() or u.username for u in (admin, head) if u),
        data={"second_handling": second.pk, "due_at": deadline.due_at.isoformat()},
    )
    notify(
        [u for u in (admin, head) if u],
        title=_("Resident dissatisfied – handle again: %(what)s") % {"what": str(callback.ticket)},
        body=_("Visit and handle it again by %(due)s; the case is reviewed internally.")
        % {"due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")},
        url=callback.ticket.get_absolute_url(),
        estate=estate,
        level="alert",
        dedupe_key=f"second-handling:{second.pk}",
    )
    return second


def _may_finish_second(actor, second: SecondHandling) -> bool:
    if actor is None:
        return False
    if actor.pk in (second.area_admin_id, second.department_head_id):
        return True
    if second.repair_id and actor.pk == second.repair.technician_id:
        return True  # the repair's rework, completed by its technician (repair_complete)
    if second.repair_id and has_role(actor, *repair_services.DESK_ROLES):
        return True  # the desk recording the rework the technician reported
    return has_role(actor, *SECOND_HANDLING_ROLES)


@transaction.atomic
def second_handling_finish(
    *, second_handling_id: int, outcome: str, actor, at=None, check_role: bool = True
) -> SecondHandling:
    """The area administrator and the department head have handled it again. `check_role` is
    False only when the ticket's own service closes the handling (it checked its actor)."""
    at = at or timezone.now()
    second = (
        SecondHandling.objects.select_for_update(of=("self",))
        .select_related("callback", "repair", "complaint")
        .get(pk=second_handling_id)
    )
    if second.done_at is not None:
        return second
    if check_role and not _may_finish_second(actor, second):
        raise PermissionDenied(
            _("The area administrator and the department head record the second handling.")
        )
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what was done.")})
    second.done_at, second.done_by, second.outcome = at, staff_or_none(actor), outcome.strip()
    second.save(update_fields=["done_at", "done_by", "outcome"])
    deadline_meet(subject=second, kind=crules.SECOND_HANDLING, at=at)
    _ticket_event(
        second.callback,
        action="second_handling_done",
        actor=actor,
        at=at,
        note=outcome.strip(),
        data={"second_handling": second.pk},
    )
    return second
