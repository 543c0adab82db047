"""The complaint callback's outcome: closes the complaint, or reopens it with a second
handling (docs/domain.md, Callbacks)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.deadlines import deadline_cancel, deadline_meet
from propserv.errors import InvalidTransition
from propserv.registry import registry
from tickets.models import Callback, Complaint, ComplaintEvent
from tickets.rules import complaints as crules
from tickets.services import callbacks, second_handlings
from tickets.services.complaints.core import lock_complaint, move


@transaction.atomic
def complaint_record_callback(
    *,
    complaint_id: int,
    satisfaction: int,
    actor,
    comment: str = "",
    confirmed_by_resident: bool = False,
    channel: str = "phone",
    at=None,
) -> Callback:
    """The complainant reached and asked: satisfied closes the complaint; dissatisfied (≤ 2)
    reopens it and opens a second handling (docs/domain.md, Callbacks)."""
    at = at or timezone.now()
    satisfaction = callbacks.check_satisfaction(satisfaction)
    complaint = lock_complaint(complaint_id)  # the ticket before its callback
    pending = complaint.callbacks.filter(status=Callback.Status.PENDING).first()
    if pending is None:
        done = complaint.callbacks.filter(status=Callback.Status.DONE).order_by("-completed_at")
        if done.exists():
            return done.first()  # a double submit
        raise InvalidTransition(_("This callback has already been completed or cancelled."))
    callback = callbacks.lock_callback(pending.pk)
    callbacks.check_caller(actor, callback)
    callbacks.do_note_reached(callback, actor=actor, at=at)
    callbacks.do_record_outcome(
        callback,
        satisfaction=satisfaction,
        actor=actor,
        comment=comment,
        confirmed_by_resident=confirmed_by_resident,
        channel=channel,
        at=at,
    )
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
        move(
            complaint,
            Complaint.Status.REOPENED,
            actor=actor,
            at=at,
            action="reopened",
            note=comment.strip(),
            data={"dissatisfied": satisfaction},
        )
        complaint.reopen_count += 1
        complaint.closed_at = None
        complaint.save(update_fields=["status", "reopen_count", "closed_at"])
        second_handlings.do_open_second_handling(callback=callback, actor=actor, at=at)
    else:
        move(complaint, Complaint.Status.CLOSED, actor=actor, at=at, action="closed")
        complaint.closed_at = at
        complaint.save(update_fields=["status", "closed_at"])
        deadline_cancel(subject=complaint, at=at)  # nothing runs on a closed complaint
        # Higher apps close what the complaint came from (a reception entry), in this transaction.
        for hook in registry.hooks_for("complaint.called_back"):
            hook(complaint=complaint, actor=actor)
    return callback
