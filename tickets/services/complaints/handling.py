"""Reply, handling, extension and owner of a complaint (docs/domain.md, Complaints)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_or_none, works_for
from propserv.deadlines import deadline_meet, deadline_reschedule
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline
from propserv.notifications import notify
from propserv.roles import (
    MAJOR_COMPLAINT_OWNER_NAMERS,
    Role,
    has_role,
    user_roles,
)
from tickets.models import Complaint, ComplaintEvent, ComplaintExtension, ComplaintReply
from tickets.rules import complaints as crules
from tickets.rules.intake import DOUBLE_SUBMIT_WINDOW
from tickets.services import callbacks, second_handlings
from tickets.services.complaints.core import check_handler, label, lock_complaint, move


@transaction.atomic
def complaint_reply(
    *, complaint_id: int, channel: str, text: str, actor, at=None
) -> ComplaintReply:
    """Record an answer to the complainant. A written complaint's reply clock is met only by a
    written reply (letter or e-mail)."""
    at = at or timezone.now()
    complaint = lock_complaint(complaint_id)
    check_handler(actor, complaint.estate)
    if channel not in ComplaintReply.Channel.values:
        raise ValidationError({"channel": _("Choose how the reply was given.")})
    if not text.strip():
        raise ValidationError({"text": _("Write what was answered.")})
    if at < complaint.received_at:
        raise ValidationError({"at": _("A reply cannot come before the complaint.")})
    actor_user = staff_or_none(actor)
    if actor_user is not None:
        same = (
            complaint.replies.filter(
                replied_by=actor_user,
                channel=channel,
                text=text.strip(),
                replied_at__gte=at - DOUBLE_SUBMIT_WINDOW,
                replied_at__lte=at + DOUBLE_SUBMIT_WINDOW,
            )
            .order_by("-replied_at", "-pk")
            .first()
        )
        if same is not None:
            return same  # a double submit: the reply is already on record
    reply = ComplaintReply.objects.create(
        complaint=complaint,
        channel=channel,
        text=text.strip(),
        replied_at=at,
        replied_by=staff_or_none(actor),
    )
    counts = reply.written or not complaint.written
    if counts and complaint.first_reply_at is None:
        complaint.first_reply_at = at
        complaint.save(update_fields=["first_reply_at"])
    ComplaintEvent.record(
        complaint,
        action="replied",
        actor=actor,
        at=at,
        note=reply.text,
        data={"channel": channel, "reply": reply.pk, "counts": counts},
    )
    if counts:
        deadline_meet(subject=complaint, kind=crules.REPLY, at=at)
    return reply


@transaction.atomic
def complaint_mark_handled(*, complaint_id: int, outcome: str, actor, at=None) -> Complaint:
    """The matter is dealt with: meets the handling clock and puts the complaint in the callback
    queue (within N days). Major and invalid complaints need their answer first."""
    at = at or timezone.now()
    complaint = lock_complaint(complaint_id)
    check_handler(actor, complaint.estate)
    if complaint.status == Complaint.Status.HANDLED:
        return complaint
    if not complaint.grade:
        raise InvalidTransition(
            _("Grade the complaint before closing its handling."),
        )
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say how it was handled.")})
    if complaint.first_reply_at is None:  # every grade: the complainant is answered first
        raise InvalidTransition(
            _("Record the answer given to the complainant first."),
        )
    reopened = complaint.status == Complaint.Status.REOPENED
    move(complaint, Complaint.Status.HANDLED, actor=actor, at=at, action="handled", note=outcome)
    complaint.handled_at, complaint.outcome = at, outcome.strip()
    complaint.save(update_fields=["status", "handled_at", "outcome"])
    deadline_meet(subject=complaint, kind=crules.HANDLE, at=at)
    if reopened:
        for pending in complaint.second_handlings.filter(done_at__isnull=True):
            second_handlings.do_finish_second_handling(
                second_handlings.lock_second_handling(pending.pk),
                outcome=outcome,
                actor=actor,
                at=at,
            )
    callbacks.do_open_complaint_callback(complaint=complaint, actor=actor, at=at)
    return complaint


@transaction.atomic
def complaint_extend(
    *, complaint_id: int, new_due_at: dt.datetime, reason: str, actor, at=None
) -> ComplaintExtension:
    """A longer handling time, approved by the role the grade names (GM for important, the
    project manager for minor); major and invalid complaints cannot be extended."""
    at = at or timezone.now()
    complaint = lock_complaint(complaint_id)
    check_handler(actor, complaint.estate)
    if not complaint.grade:
        raise InvalidTransition(_("Grade the complaint first."))
    approvers = crules.EXTENSION_APPROVERS.get(complaint.grade)
    if approvers is None:
        raise InvalidTransition(
            _("The handling time of a %(grade)s complaint cannot be extended.")
            % {"grade": complaint.get_grade_display()},
        )
    if not crules.may_extend(complaint.grade, user_roles(actor), actor.is_superuser):
        raise NotAllowed(
            _("Only %(roles)s may approve a longer handling time for this complaint.")
            % {"roles": " / ".join(str(Role(r).label) for r in approvers)}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    deadline = (
        Deadline.objects.for_subject(complaint)
        .open()
        .filter(kind=crules.HANDLE)
        .select_for_update()
        .first()
    )
    if deadline is None:
        raise InvalidTransition(_("There is no running handling deadline to extend."))
    if deadline.breached_at is not None or deadline.due_at <= at:
        raise InvalidTransition(
            _(
                "The handling deadline has already passed; an extension is approved before it runs out."
            ),
        )
    if new_due_at <= deadline.due_at:
        raise ValidationError({"new_due_at": _("The new time must be later than the current one.")})
    old_due_at = deadline.due_at
    moved = deadline_reschedule(
        deadline=deadline, rule={"unit": "at", "due_at": new_due_at.isoformat()}, now=at
    )
    if moved.due_at != new_due_at or moved.breached_at is not None or not moved.is_open:
        raise InvalidTransition(
            _("The handling deadline could not be moved; nothing was changed."),
        )
    extension = ComplaintExtension.objects.create(
        complaint=complaint,
        grade=complaint.grade,
        old_due_at=old_due_at,
        new_due_at=new_due_at,
        reason=reason.strip()[:300],
        approved_by=actor,
        approved_at=at,
    )
    ComplaintEvent.record(
        complaint,
        action="extended",
        actor=actor,
        at=at,
        note=reason.strip(),
        data={"from": old_due_at.isoformat(), "to": new_due_at.isoformat()},
    )
    return extension


@transaction.atomic
def complaint_assign_owner(*, complaint_id: int, owner, actor, at=None) -> Complaint:
    """Hand the complaint to an owner; for a major complaint the general manager names him."""
    at = at or timezone.now()
    complaint = lock_complaint(complaint_id)
    check_handler(actor, complaint.estate)
    if complaint.owner_id == owner.pk:
        return complaint
    if not works_for(owner, complaint.estate_id):
        raise ValidationError({"owner": _("Choose a colleague of this estate.")})
    if complaint.grade == Complaint.Grade.MAJOR and not has_role(
        actor, MAJOR_COMPLAINT_OWNER_NAMERS
    ):
        raise NotAllowed(_("The general manager names the owner of a major complaint."))
    before = complaint.owner
    complaint.owner = owner
    complaint.save(update_fields=["owner"])
    ComplaintEvent.record(
        complaint,
        action="owner",
        actor=actor,
        at=at,
        data={
            "from": before.pk if before else None,
            "to": owner.pk,
            "from_name": (before.get_full_name() or before.username) if before else "",
            "to_name": owner.get_full_name() or owner.username,
        },
    )
    notify(
        [owner],
        title=_("Complaint for you: %(what)s") % {"what": label(complaint)},
        body=complaint.description,
        url=complaint.get_absolute_url(),
        estate=complaint.estate,
        dedupe_key=f"complaint:{complaint.pk}:owner:{owner.pk}:{at.isoformat()}",
    )
    return complaint


# --- the one-month upgrade ------------------------------------------------------------------------
