"""Grading, reporting up and the one-month upgrade: the clocks follow the grade
(docs/domain.md, Complaints; docs/architecture.md, Deadlines)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of, staff_or_none
from propserv.deadlines import deadline_meet, deadline_open, deadline_reschedule
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline
from propserv.notifications import notify
from propserv.roles import (
    CAN_GRADE_COMPLAINTS,
    COMPLAINT_REPORT_TARGETS,
)
from tickets.models import Complaint, ComplaintEvent
from tickets.rules import complaints as crules
from tickets.services.complaints.core import (
    check_handler,
    grades_allowed,
    label,
    lock_complaint,
    move,
)


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
        % {"grade": complaint.get_grade_display(), "what": label(complaint)},
        body=complaint.description,
        url=complaint.get_absolute_url(),
        estate=complaint.estate,
        level=level,
        dedupe_key=f"complaint:{complaint.pk}:graded:{complaint.grade}",
    )


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
    complaint = lock_complaint(complaint_id)
    if not auto:
        check_handler(actor, complaint.estate, roles=CAN_GRADE_COMPLAINTS)
    if grade not in Complaint.Grade.values:
        raise ValidationError({"grade": _("Choose major, important, minor or invalid.")})
    if complaint.grade == grade:
        return complaint
    if auto and complaint.status not in (Complaint.Status.HANDLING, Complaint.Status.REOPENED):
        return complaint  # resolved meanwhile: nothing to upgrade
    if complaint.status == Complaint.Status.CLOSED:
        raise InvalidTransition(_("A closed complaint cannot be regraded."))
    if not auto:
        if grade not in grades_allowed(complaint, actor):
            raise NotAllowed(
                _(
                    "Only the quality department or the general manager may lower the grade of a "
                    "major complaint."
                )
            )
    reason = reason.strip()
    first = not complaint.grade
    typed = bool(reason) and not auto
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
    # The reason the code gave is rendered from parameters, in the reader's language.
    if auto:
        data["days"] = complaint.estate.service_settings.complaint_upgrade_days
    elif not typed:
        data["as_proposed"] = True
    note = reason if typed else ""
    if first:
        move(
            complaint,
            Complaint.Status.HANDLING,
            actor=actor,
            at=at,
            action="graded",
            note=note,
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
            note=note,
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
    complaint = lock_complaint(complaint_id)
    check_handler(actor, complaint.estate)
    if not complaint.grade:
        raise InvalidTransition(_("Grade the complaint before reporting it up."))
    roles = [r for r in reported_to if r in COMPLAINT_REPORT_TARGETS]
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


# --- the callback's outcome -----------------------------------------------------------------------
