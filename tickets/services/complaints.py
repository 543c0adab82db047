"""Every write to a complaint goes through one of these services (web, API, tasks alike).

Each: one transaction, the complaint row locked, state re-checked, idempotent when already applied,
a ComplaintEvent for the timeline, deadlines opened/met through the core engine, notifications
written in the same transaction (delivered on commit by propserv.notifications).

Clocks: the reply clock (N working days) runs from receipt for every complaint. The report-up and
handling clocks count from receipt too; a later change of grade (by staff or the one-month
upgrade) reschedules the still-open clocks to the new grade's rule (counted from their start, a
breach that happened stays on record); a clock the new grade needs that is no longer running (the
report-up was done for the old grade) starts at the moment of the change. Closing a complaint
cancels whatever clock is still open.

Who may act (DOMAIN.md §3): the desk and the managers grade, report up, reply, close the handling
and name owners; lowering a major (or auto-upgraded) complaint needs the quality department or the
general manager. Technicians, patrol guards and finance staff do none of it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of, staff_or_none
from propserv.deadlines import deadline_meet, deadline_open, deadline_reschedule
from propserv.models import Deadline, Resident
from propserv.notifications import notify
from propserv.roles import Role, has_role, user_roles
from tickets import complaint_rules as crules
from tickets import rules as repair_rules
from tickets.models import Complaint, ComplaintEvent, ComplaintExtension, ComplaintReply
from tickets.services.repairs import TransitionError as RepairTransitionError

REPORTABLE_ROLES = (Role.SUPERVISOR, Role.PROJECT_MANAGER, Role.QUALITY, Role.GM)
COLLECTIVE_HOUSEHOLDS = 3
# The desk and the managers work a complaint (DOMAIN.md §3); lowering a major one is for quality/GM.
DESK_ROLES = (
    Role.FRONT_DESK,
    Role.AREA_ADMIN,
    Role.SUPERVISOR,
    Role.PROJECT_MANAGER,
    Role.QUALITY,
    Role.GM,
)
DOWNGRADE_ROLES = (Role.QUALITY, Role.GM)
DOUBLE_SUBMIT_WINDOW = dt.timedelta(minutes=2)


def require_desk(actor) -> None:
    if not has_role(actor, *DESK_ROLES):
        raise PermissionDenied(
            _(
                "Only the front desk, area administrators, supervisors, project managers, the "
                "quality department and the general manager may do this."
            )
        )


class TransitionError(RepairTransitionError):
    """The complaint is not in a state that allows this (HTTP 409 in the API)."""

    def __init__(self, complaint: Complaint, to: str, message: str | None = None):
        self.complaint, self.repair, self.to = complaint, None, to
        if message is None:
            message = _("A complaint that is “%(status)s” cannot become “%(to)s”.") % {
                "status": complaint.get_status_display(),
                "to": Complaint.Status(to).label,
            }
        Exception.__init__(self, message)


def locked(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("estate", "unit")
        .get(pk=complaint_id)
    )


def move(complaint: Complaint, to: str, *, actor, at, action: str, note="", data=None) -> None:
    if not complaint.can_transition(to):
        raise TransitionError(complaint, to)
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


def _label(complaint: Complaint) -> str:
    return f"{complaint.number} {complaint.get_category_display()} {complaint.who}"


# --- intake ---------------------------------------------------------------------------------------


@transaction.atomic
def complaint_create(
    *,
    estate,
    description: str,
    actor=None,
    channel: str = "phone",
    complainant_kind: str = Complaint.ComplainantKind.RESIDENT,
    complainant=None,
    complainant_name: str = "",
    complainant_phone: str = "",
    unit=None,
    occurred_at=None,
    occurred_place: str = "",
    department: str = Complaint.Department.OTHER,
    against: str = "",
    request: str = "",
    category: str = Complaint.Category.OTHER,
    written: bool | None = None,
    households: int = 1,
    injury_or_loss: bool = False,
    promise_broken: bool = False,
    apologised: bool = False,
    requested_by=None,
    received_at: dt.datetime | None = None,
    same_matter_as=None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Log a complaint, propose its grade, flag repeats and start the reply clock."""
    now = now or timezone.now()
    received_at = received_at or now
    problem = repair_rules.check_received_at(received_at, now)
    if problem == "future":
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    if problem == "too_old":
        raise ValidationError({"received_at": _("A call can be backdated by at most 24 hours.")})
    if unit is not None and unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("The unit must belong to the estate.")})
    if same_matter_as is not None and same_matter_as.estate_id != estate.pk:
        raise ValidationError({"same_matter_as": _("That complaint is of another estate.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what happened.")})
    if complainant_kind == Complaint.ComplainantKind.STAFF and category == Complaint.Category.STAFF:
        raise ValidationError(
            {"category": _("A staff member's complaint about staff conduct goes to HR.")}
        )
    complainant_phone = (complainant_phone or "").strip()
    if complainant is None and unit is not None and complainant_phone:
        complainant = Resident.objects.filter(unit=unit, phone=complainant_phone).first()
    complainant_name = (complainant_name or "").strip() or (complainant.name if complainant else "")
    if unit is None and not complainant_name:
        raise ValidationError({"complainant_name": _("Give the complainant's name or the unit.")})
    if requested_by is not None and requested_by <= received_at:
        raise ValidationError(
            {"requested_by": _("The time the resident asks for must be after the complaint.")}
        )
    proposal = crules.propose_grade(
        households=households,
        injury_or_loss=injury_or_loss,
        promise_broken=promise_broken,
        category=category,
        collective_threshold=COLLECTIVE_HOUSEHOLDS,
    )
    complaint = Complaint(
        estate=estate,
        channel=channel,
        complainant_kind=complainant_kind,
        complainant=complainant,
        complainant_name=complainant_name,
        complainant_phone=complainant_phone or (complainant.phone if complainant else ""),
        unit=unit,
        occurred_at=occurred_at,
        occurred_place=occurred_place.strip(),
        department=department,
        against=against.strip(),
        description=description.strip(),
        request=request.strip(),
        category=category,
        written=channel in ("letter", "email") if written is None else written,
        households=households,
        injury_or_loss=injury_or_loss,
        promise_broken=promise_broken,
        apologised=apologised,
        requested_by=requested_by,
        proposed_grade=proposal.grade,
        proposed_reasons=list(proposal.reasons),
        received_at=received_at,
        received_by=staff_or_none(actor),
        owner=staff_or_none(actor),  # first-contact ownership (首问负责制)
    )
    complaint.full_clean()
    complaint.save()
    data = {"proposed_grade": proposal.grade, "reasons": list(proposal.reasons)}
    if received_at < now - dt.timedelta(minutes=1):
        data["backdated_from"] = now.isoformat()
    ComplaintEvent.record(
        complaint,
        action="created",
        actor=actor,
        at=now,
        to_status=complaint.status,
        note=complaint.description,
        data=data,
        actor_label=complaint.complainant_name,
    )
    settings_row = estate.service_settings
    deadline_open(
        subject=complaint,
        estate=estate,
        kind=crules.REPLY,
        started_at=received_at,
        now=now,
        rule=crules.reply_rule(settings=settings_row),
    )
    _detect_repeat(complaint, same_matter_as=same_matter_as, settings_row=settings_row, at=now)
    return complaint


def _detect_repeat(complaint: Complaint, *, same_matter_as, settings_row, at) -> None:
    """The same matter complained about again within the window: same unit (or, without one,
    the same phone), same category, same department; or the complaint staff linked it to."""
    window_start = complaint.received_at - dt.timedelta(days=settings_row.repeat_window_days)
    root = same_matter_as
    if root is None:
        candidates = Complaint.objects.filter(
            estate=complaint.estate,
            category=complaint.category,
            department=complaint.department,
            received_at__gte=window_start,
            received_at__lte=complaint.received_at,
        ).exclude(pk=complaint.pk)
        if complaint.unit_id:
            candidates = candidates.filter(unit=complaint.unit)
        elif complaint.complainant_phone:
            candidates = candidates.filter(complainant_phone=complaint.complainant_phone)
        else:
            return
        previous = candidates.order_by("-received_at", "-id").first()
        if previous is None:
            return
        root = previous
    if root.same_matter_as_id:
        root = root.same_matter_as
    count = (
        Complaint.objects.filter(Q(pk=root.pk) | Q(same_matter_as=root))
        .filter(received_at__gte=window_start)
        .exclude(pk=complaint.pk)
        .count()
        + 1
    )
    complaint.same_matter_as = root
    complaint.repeat_count = count
    complaint.repeat_flagged = count >= settings_row.repeat_complaint_count
    complaint.save(update_fields=["same_matter_as", "repeat_count", "repeat_flagged"])
    if complaint.repeat_flagged:
        ComplaintEvent.record(
            complaint,
            action="repeat",
            at=at,
            note=_("Same matter complained about %(count)s times (first: %(first)s).")
            % {"count": count, "first": root.number},
            data={"count": count, "first": root.pk},
        )
        notify(
            staff_of(complaint.estate, Role.SUPERVISOR, Role.PROJECT_MANAGER),
            title=_("Repeat complaint: %(what)s") % {"what": _label(complaint)},
            body=_("Same matter complained about %(count)s times (first: %(first)s).")
            % {"count": count, "first": root.number},
            url=complaint.get_absolute_url(),
            estate=complaint.estate,
            level="warning",
            dedupe_key=f"complaint:{complaint.pk}:repeat",
        )


# --- grade ----------------------------------------------------------------------------------------


def _open_grade_clocks(complaint: Complaint, *, started_at, now, report: bool, handle: bool):
    settings_row = complaint.estate.service_settings
    if report:
        deadline_open(
            subject=complaint,
            estate=complaint.estate,
            kind=crules.REPORT,
            started_at=started_at,
            now=now,
            rule=crules.report_rule(grade=complaint.grade, settings=settings_row),
        )
    if handle:
        deadline_open(
            subject=complaint,
            estate=complaint.estate,
            kind=crules.HANDLE,
            started_at=started_at,
            now=now,
            rule=crules.handle_rule(
                grade=complaint.grade,
                settings=settings_row,
                requested_at=complaint.requested_by
                if complaint.requested_by and complaint.requested_by > started_at
                else None,
            ),
        )


def _regrade_clocks(complaint: Complaint, *, at) -> None:
    """Reschedule the open report-up and handling clocks to the new grade's rule (a breach stays
    on record); start the ones the new grade needs that are no longer running."""
    settings_row = complaint.estate.service_settings
    running = {
        d.kind: d
        for d in Deadline.objects.for_subject(complaint)
        .open()
        .filter(kind__in=[crules.REPORT, crules.HANDLE])
        .select_for_update()
    }
    report_needed = not crules.report_up_done(complaint.grade, set(complaint.reported_to))
    if crules.REPORT in running:
        if report_needed:
            deadline_reschedule(
                deadline=running[crules.REPORT],
                rule=crules.report_rule(grade=complaint.grade, settings=settings_row),
                now=at,
            )
        else:  # the people the new grade names have all been told already
            deadline_meet(subject=complaint, kind=crules.REPORT, at=at)
    if crules.HANDLE in running:
        handle = running[crules.HANDLE]
        deadline_reschedule(
            deadline=handle,
            rule=crules.handle_rule(
                grade=complaint.grade,
                settings=settings_row,
                requested_at=complaint.requested_by
                if complaint.requested_by and complaint.requested_by > handle.started_at
                else None,
            ),
            now=at,
        )
    _open_grade_clocks(
        complaint,
        started_at=at,
        now=at,
        report=report_needed and crules.REPORT not in running,
        handle=crules.HANDLE not in running
        and complaint.status in (Complaint.Status.HANDLING, Complaint.Status.REOPENED),
    )


def _tell_the_ladder(complaint: Complaint, at) -> None:
    """Report up at once through the system; staff still record the report-up they made."""
    roles = crules.REPORT_TO[complaint.grade]
    level = {"major": "alert", "important": "warning"}.get(complaint.grade, "info")
    notify(
        staff_of(complaint.estate, *roles),
        title=_("%(grade)s complaint: %(what)s")
        % {"grade": complaint.get_grade_display(), "what": _label(complaint)},
        body=complaint.description,
        url=complaint.get_absolute_url(),
        estate=complaint.estate,
        level=level,
        dedupe_key=f"complaint:{complaint.pk}:graded:{complaint.grade}",
    )


def grades_allowed(complaint: Complaint, actor) -> list[str]:
    """The grades `actor` may give `complaint` now: a major (or upgraded) complaint is lowered
    only by the quality department or the general manager."""
    locked_high = complaint.grade == Complaint.Grade.MAJOR or complaint.upgraded_at is not None
    if locked_high and not has_role(actor, *DOWNGRADE_ROLES):
        return [Complaint.Grade.MAJOR]
    return list(Complaint.Grade.values)


@transaction.atomic
def complaint_grade(
    *,
    complaint_id: int,
    grade: str,
    actor,
    reason: str = "",
    invalid_reason: str = "",
    referred_to: str = "",
    at=None,
    auto: bool = False,
) -> Complaint:
    """Staff choose the grade (the system only proposes); a change of grade is audited."""
    at = at or timezone.now()
    complaint = locked(complaint_id)
    if grade not in Complaint.Grade.values:
        raise ValidationError({"grade": _("Choose major, important, minor or invalid.")})
    if complaint.grade == grade:
        return complaint
    if auto and complaint.status not in (Complaint.Status.HANDLING, Complaint.Status.REOPENED):
        return complaint  # resolved meanwhile: nothing to upgrade
    if complaint.status == Complaint.Status.CLOSED:
        raise TransitionError(
            complaint, complaint.status, _("A closed complaint cannot be regraded.")
        )
    if not auto:
        require_desk(actor)
        if grade not in grades_allowed(complaint, actor):
            raise PermissionDenied(
                _(
                    "Only the quality department or the general manager may lower the grade of a "
                    "major complaint."
                )
            )
    reason = reason.strip()
    first = not complaint.grade
    if not reason:
        if first and grade == complaint.proposed_grade:
            reason = _("As proposed: %(reasons)s") % {
                "reasons": "; ".join(
                    str(crules.REASON_LABELS[r]) for r in complaint.proposed_reasons
                )
            }
        else:
            raise ValidationError({"reason": _("Say why the complaint gets this grade.")})
    if grade == Complaint.Grade.INVALID:
        if invalid_reason not in Complaint.InvalidReason.values:
            raise ValidationError(
                {
                    "invalid_reason": _(
                        "Say why it is invalid: forwarded to after-sales, or referred to the "
                        "body responsible."
                    )
                }
            )
        complaint.invalid_reason, complaint.referred_to = invalid_reason, referred_to.strip()
    else:
        complaint.invalid_reason, complaint.referred_to = "", ""
    before_grade = complaint.grade
    complaint.grade, complaint.grade_reason = grade, reason[:300]
    complaint.graded_at, complaint.graded_by = at, staff_or_none(actor)
    fields = ["grade", "grade_reason", "graded_at", "graded_by", "invalid_reason", "referred_to"]
    data = {"from_grade": before_grade, "to_grade": grade}
    if first:
        move(
            complaint,
            Complaint.Status.HANDLING,
            actor=actor,
            at=at,
            action="graded",
            note=reason,
            data=data,
        )
        fields.append("status")
        complaint.save(update_fields=fields)
        _open_grade_clocks(
            complaint, started_at=complaint.received_at, now=at, report=True, handle=True
        )
    else:
        if auto:
            complaint.upgraded_at = at
            fields.append("upgraded_at")
        complaint.save(update_fields=fields)
        ComplaintEvent.record(
            complaint,
            action="auto_upgraded" if auto else "regraded",
            actor=actor,
            at=at,
            note=reason,
            data=data,
        )
        _regrade_clocks(complaint, at=at)
    _tell_the_ladder(complaint, at)
    return complaint


@transaction.atomic
def complaint_report_up(
    *, complaint_id: int, reported_to: list[str], actor, note: str = "", at=None
) -> Complaint:
    """Staff record that they reported the complaint up (to whom). Meets the report-up clock once
    the people the grade names have all been told."""
    at = at or timezone.now()
    require_desk(actor)
    complaint = locked(complaint_id)
    if not complaint.grade:
        raise TransitionError(
            complaint, complaint.status, _("Grade the complaint before reporting it up.")
        )
    roles = [r for r in reported_to if r in REPORTABLE_ROLES]
    if not roles or len(roles) != len(reported_to):
        raise ValidationError({"reported_to": _("Say whom it was reported to.")})
    told = set(complaint.reported_to) | set(roles)
    if told == set(complaint.reported_to):
        return complaint  # nobody new: a double submit
    complaint.reported_to = sorted(told)
    done = crules.report_up_done(complaint.grade, told)
    fields = ["reported_to"]
    if done and complaint.reported_up_at is None:
        complaint.reported_up_at = at
        fields.append("reported_up_at")
    complaint.save(update_fields=fields)
    ComplaintEvent.record(
        complaint,
        action="reported_up",
        actor=actor,
        at=at,
        note=note.strip(),
        data={"to": sorted(roles), "complete": done},
    )
    if done:
        deadline_meet(subject=complaint, kind=crules.REPORT, at=at)
    return complaint


# --- reply, handling, extension, owner -----------------------------------------------------------


@transaction.atomic
def complaint_reply(
    *, complaint_id: int, channel: str, text: str, actor, at=None
) -> ComplaintReply:
    """Record an answer to the complainant. A written complaint's reply clock is met only by a
    written reply (letter or e-mail)."""
    at = at or timezone.now()
    complaint = locked(complaint_id)
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
    from tickets.services.callbacks import callback_open_for_complaint, second_handling_finish

    at = at or timezone.now()
    require_desk(actor)
    complaint = locked(complaint_id)
    if complaint.status == Complaint.Status.HANDLED:
        return complaint
    if not complaint.grade:
        raise TransitionError(
            complaint,
            Complaint.Status.HANDLED,
            _("Grade the complaint before closing its handling."),
        )
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say how it was handled.")})
    if complaint.first_reply_at is None:  # every grade: the complainant is answered first
        raise TransitionError(
            complaint,
            Complaint.Status.HANDLED,
            _("Record the answer given to the complainant first."),
        )
    reopened = complaint.status == Complaint.Status.REOPENED
    move(complaint, Complaint.Status.HANDLED, actor=actor, at=at, action="handled", note=outcome)
    complaint.handled_at, complaint.outcome = at, outcome.strip()
    complaint.save(update_fields=["status", "handled_at", "outcome"])
    deadline_meet(subject=complaint, kind=crules.HANDLE, at=at)
    if reopened:
        for pending in complaint.second_handlings.filter(done_at__isnull=True):
            second_handling_finish(
                second_handling_id=pending.pk,
                outcome=outcome,
                actor=actor,
                at=at,
                check_role=False,
            )
    callback_open_for_complaint(complaint=complaint, actor=actor, at=at)
    return complaint


@transaction.atomic
def complaint_extend(
    *, complaint_id: int, new_due_at: dt.datetime, reason: str, actor, at=None
) -> ComplaintExtension:
    """A longer handling time, approved by the role the grade names (GM for important, the
    project manager for minor); major and invalid complaints cannot be extended."""
    at = at or timezone.now()
    complaint = locked(complaint_id)
    if not complaint.grade:
        raise TransitionError(complaint, complaint.status, _("Grade the complaint first."))
    approvers = crules.EXTENSION_APPROVERS.get(complaint.grade)
    if approvers is None:
        raise TransitionError(
            complaint,
            complaint.status,
            _("The handling time of a %(grade)s complaint cannot be extended.")
            % {"grade": complaint.get_grade_display()},
        )
    if not crules.may_extend(complaint.grade, user_roles(actor), actor.is_superuser):
        raise PermissionDenied(
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
        raise TransitionError(
            complaint, complaint.status, _("There is no running handling deadline to extend.")
        )
    if deadline.breached_at is not None or deadline.due_at <= at:
        raise TransitionError(
            complaint,
            complaint.status,
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
        raise TransitionError(
            complaint,
            complaint.status,
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
    require_desk(actor)
    complaint = locked(complaint_id)
    if complaint.owner_id == owner.pk:
        return complaint
    if not owner.is_active or not owner.staff.estates.filter(pk=complaint.estate_id).exists():
        raise ValidationError({"owner": _("Choose a colleague of this estate.")})
    if complaint.grade == Complaint.Grade.MAJOR and not (
        actor.is_superuser or Role.GM in user_roles(actor)
    ):
        raise PermissionDenied(_("The general manager names the owner of a major complaint."))
    before = complaint.owner
    complaint.owner = owner
    complaint.save(update_fields=["owner"])
    ComplaintEvent.record(
        complaint,
        action="owner",
        actor=actor,
        at=at,
        note=owner.get_full_name() or owner.username,
        data={"from": before.pk if before else None, "to": owner.pk},
    )
    notify(
        [owner],
        title=_("Complaint for you: %(what)s") % {"what": _label(complaint)},
        body=complaint.description,
        url=complaint.get_absolute_url(),
        estate=complaint.estate,
        dedupe_key=f"complaint:{complaint.pk}:owner:{owner.pk}:{at.isoformat()}",
    )
    return complaint


# --- the one-month upgrade ------------------------------------------------------------------------


def complaints_auto_upgrade(*, now: dt.datetime | None = None, estate=None) -> int:
    """Every effective complaint still unresolved after `complaint_upgrade_days` becomes major
    (and escalates as major). Safe to run any number of times."""
    now = now or timezone.now()
    candidates = Complaint.objects.filter(
        grade__in=[Complaint.Grade.IMPORTANT, Complaint.Grade.MINOR],
        status__in=[Complaint.Status.HANDLING, Complaint.Status.REOPENED],
    ).select_related("estate")
    if estate is not None:
        candidates = candidates.filter(estate=estate)
    upgraded = 0
    for complaint in candidates.iterator():
        days = complaint.estate.service_settings.complaint_upgrade_days
        if not crules.is_upgrade_due(
            grade=complaint.grade,
            open_=True,
            received_at=complaint.received_at,
            now=now,
            days=days,
        ):
            continue
        before = complaint.grade
        after = complaint_grade(
            complaint_id=complaint.pk,
            grade=Complaint.Grade.MAJOR,
            actor=None,
            reason=_("Still unresolved %(days)s days after it was received: upgraded to major.")
            % {"days": days},
            at=now,
            auto=True,
        )
        upgraded += after.grade != before
    return upgraded
