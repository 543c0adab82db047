"""Every row of the complaint table (docs/domain.md, Complaints): who it is reported to and by when, how long handling may
take, who may extend it; the 4-working-day reply clock of every complaint."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from propserv.deadlines import sweep
from propserv.errors import InvalidTransition
from propserv.models import Deadline, Notification
from tests.tickets.complaints.conftest import TUESDAY, at, clock, end_of, graded, handled
from tickets.models import (
    Callback,
    Complaint,
    ComplaintExtension,
)
from tickets.rules import complaints as crules
from tickets.services import complaints as services
from tickets.services import queue as cb_queue

# Tuesday 2026-11-17 10:00: an ordinary working week.
T0 = at(2026, 11, 17, 10, 0)


def notified(dedupe_prefix: str) -> set[str]:
    return set(
        Notification.objects.filter(dedupe_key__startswith=dedupe_prefix).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.mark.django_db
def test_every_complaint_gets_a_reply_clock_of_four_working_days(make_complaint):
    complaint = make_complaint(T0)
    reply = clock(complaint, crules.REPLY)
    # Tue 17th received; Wed 18, Thu 19, Fri 20, Mon 23 = four working days.
    assert reply.due_at == end_of(dt.date(2026, 11, 23))
    assert reply.working_days is True
    assert reply.provisional is False
    assert complaint.status == Complaint.Status.RECEIVED
    assert complaint.owner.username == "frontdesk"  # first-contact ownership
    assert not Deadline.objects.for_subject(complaint).filter(kind=crules.REPORT).exists()


@pytest.mark.django_db
def test_major_same_day_to_quality_and_gm_answer_within_2_days(make_complaint, staff):
    complaint = make_complaint(T0, households=4, category="efficiency")
    assert complaint.proposed_grade == "major"
    assert complaint.proposed_reasons == ["collective"]
    services.complaint_grade(
        complaint_id=complaint.pk, grade="major", actor=staff["supervisor"], at=T0
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.HANDLING
    assert complaint.graded_by == staff["supervisor"]
    assert "三户及以上" in complaint.grade_reason  # as proposed, in the staff's language
    # Told at once through the system: the quality department and the general manager.
    assert notified(f"complaint:{complaint.pk}:graded:major") == {"quality", "gm"}
    report = clock(complaint, crules.REPORT)
    assert report.due_at == end_of(dt.date(2026, 11, 17))
    assert clock(complaint, crules.HANDLE).due_at == T0 + dt.timedelta(days=2)
    # Reported to the quality department only: not yet done.
    services.complaint_report_up(
        complaint_id=complaint.pk, reported_to=["quality"], actor=staff["frontdesk"], at=T0
    )
    assert clock(complaint, crules.REPORT).met_at is None
    services.complaint_report_up(
        complaint_id=complaint.pk,
        reported_to=["gm"],
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(hours=1),
    )
    assert clock(complaint, crules.REPORT).met_at == T0 + dt.timedelta(hours=1)
    # The answer must come first, then the handling can be closed.
    with pytest.raises(InvalidTransition):
        services.complaint_mark_handled(
            complaint_id=complaint.pk, outcome="已处理", actor=staff["supervisor"], at=T0
        )
    # No extension for a major complaint, not even by the GM.
    with pytest.raises(InvalidTransition):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=T0 + dt.timedelta(days=5),
            reason="x",
            actor=staff["gm"],
            at=T0,
        )


@pytest.mark.django_db
def test_major_breach_climbs_the_ladder(make_complaint, staff):
    complaint = make_complaint(T0, injury_or_loss=True)
    services.complaint_grade(complaint_id=complaint.pk, grade="major", actor=staff["gm"], at=T0)
    handle = clock(complaint, crules.HANDLE)
    sweep(now=handle.due_at + dt.timedelta(seconds=1))
    level1 = notified(f"deadline:{handle.pk}:1")
    assert {"quality", "gm", "supervisor"} <= level1
    assert clock(complaint, crules.HANDLE).breached_at is not None


@pytest.mark.django_db
def test_important_within_1_hour_to_supervisor_or_pm_handle_3_days(make_complaint, staff):
    complaint = make_complaint(T0, category="staff")
    assert complaint.proposed_grade == "important"
    services.complaint_grade(
        complaint_id=complaint.pk, grade="important", actor=staff["frontdesk"], at=T0
    )
    assert notified(f"complaint:{complaint.pk}:graded:important") == {
        "supervisor",
        "project_manager",
    }
    assert clock(complaint, crules.REPORT).due_at == T0 + dt.timedelta(hours=1)
    assert clock(complaint, crules.HANDLE).due_at == T0 + dt.timedelta(days=3)
    services.complaint_report_up(
        complaint_id=complaint.pk,
        reported_to=["project_manager"],
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(minutes=40),
    )
    report = clock(complaint, crules.REPORT)
    assert report.met_at == T0 + dt.timedelta(minutes=40)
    assert report.state(T0 + dt.timedelta(hours=2)) == "met"


@pytest.mark.django_db
def test_important_report_up_late_escalates_to_supervisor_and_pm(make_complaint, staff):
    complaint = make_complaint(T0, category="staff")
    services.complaint_grade(
        complaint_id=complaint.pk, grade="important", actor=staff["frontdesk"], at=T0
    )
    report = clock(complaint, crules.REPORT)
    sweep(now=T0 + dt.timedelta(minutes=61))
    assert {"supervisor", "project_manager"} <= notified(f"deadline:{report.pk}:1")
    sweep(now=T0 + dt.timedelta(minutes=95))
    assert "gm" in notified(f"deadline:{report.pk}:2")


@pytest.mark.django_db
def test_important_extension_needs_the_general_manager(make_complaint, staff):
    complaint = make_complaint(T0, category="staff")
    services.complaint_grade(
        complaint_id=complaint.pk, grade="important", actor=staff["frontdesk"], at=T0
    )
    later = T0 + dt.timedelta(days=6)
    for refused in ("project_manager", "supervisor", "frontdesk"):
        with pytest.raises(PermissionDenied):
            services.complaint_extend(
                complaint_id=complaint.pk,
                new_due_at=later,
                reason="需协调供水公司",
                actor=staff[refused],
                at=T0 + dt.timedelta(days=1),
            )
    with pytest.raises(ValidationError):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=later,
            reason="  ",
            actor=staff["gm"],
            at=T0 + dt.timedelta(days=1),
        )
    extension = services.complaint_extend(
        complaint_id=complaint.pk,
        new_due_at=later,
        reason="需协调供水公司",
        actor=staff["gm"],
        at=T0 + dt.timedelta(days=1),
    )
    assert extension.approved_by == staff["gm"]
    assert extension.old_due_at == T0 + dt.timedelta(days=3)
    assert clock(complaint, crules.HANDLE).due_at == later
    assert complaint.events.filter(action="extended", note="需协调供水公司").exists()


@pytest.mark.django_db
def test_no_extension_once_the_handling_deadline_passed(make_complaint, staff):
    complaint = make_complaint(T0, category="staff")
    services.complaint_grade(
        complaint_id=complaint.pk, grade="important", actor=staff["frontdesk"], at=T0
    )
    with pytest.raises(InvalidTransition):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=T0 + dt.timedelta(days=9),
            reason="太迟",
            actor=staff["gm"],
            at=T0 + dt.timedelta(days=4),
        )
    assert not ComplaintExtension.objects.exists()


@pytest.mark.django_db
def test_minor_same_day_to_pm_handle_2_days_extension_by_manager(make_complaint, staff):
    complaint = make_complaint(T0, category="other")
    assert complaint.proposed_grade == "minor"
    services.complaint_grade(
        complaint_id=complaint.pk, grade="minor", actor=staff["frontdesk"], at=T0
    )
    assert notified(f"complaint:{complaint.pk}:graded:minor") == {"project_manager"}
    assert clock(complaint, crules.REPORT).due_at == end_of(dt.date(2026, 11, 17))
    assert clock(complaint, crules.HANDLE).due_at == T0 + dt.timedelta(days=2)
    services.complaint_report_up(
        complaint_id=complaint.pk, reported_to=["supervisor"], actor=staff["frontdesk"], at=T0
    )
    assert clock(complaint, crules.REPORT).met_at is None  # the project manager must hear it
    with pytest.raises(PermissionDenied):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=T0 + dt.timedelta(days=4),
            reason="住户出差",
            actor=staff["supervisor"],
            at=T0,
        )
    services.complaint_extend(
        complaint_id=complaint.pk,
        new_due_at=T0 + dt.timedelta(days=4),
        reason="住户出差",
        actor=staff["project_manager"],
        at=T0,
    )
    assert clock(complaint, crules.HANDLE).due_at == T0 + dt.timedelta(days=4)


@pytest.mark.django_db
def test_minor_uses_the_residents_requested_time(make_complaint, staff):
    asked = at(2026, 11, 24, 18, 0)
    complaint = make_complaint(T0, category="other", requested_by=asked)
    services.complaint_grade(
        complaint_id=complaint.pk, grade="minor", actor=staff["frontdesk"], at=T0
    )
    assert clock(complaint, crules.HANDLE).due_at == asked


@pytest.mark.django_db
def test_invalid_records_why_is_reported_to_pm_and_still_answered(make_complaint, staff):
    complaint = make_complaint(T0, category="developer", description="外墙渗水，开发商遗留")
    assert complaint.proposed_grade == "invalid"
    with pytest.raises(ValidationError):
        services.complaint_grade(
            complaint_id=complaint.pk, grade="invalid", actor=staff["frontdesk"], at=T0
        )
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade="invalid",
        invalid_reason="developer",
        referred_to="地产售后部",
        actor=staff["frontdesk"],
        at=T0,
    )
    complaint.refresh_from_db()
    assert complaint.invalid_reason == "developer"
    assert complaint.referred_to == "地产售后部"
    assert notified(f"complaint:{complaint.pk}:graded:invalid") == {"project_manager"}
    assert clock(complaint, crules.REPORT).due_at == end_of(dt.date(2026, 11, 17))
    assert clock(complaint, crules.HANDLE).due_at == T0 + dt.timedelta(days=3)
    assert clock(complaint, crules.REPLY).due_at == end_of(dt.date(2026, 11, 23))
    with pytest.raises(InvalidTransition):
        services.complaint_mark_handled(
            complaint_id=complaint.pk, outcome="已转售后", actor=staff["frontdesk"], at=T0
        )
    with pytest.raises(InvalidTransition):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=T0 + dt.timedelta(days=5),
            reason="x",
            actor=staff["gm"],
            at=T0,
        )
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已转地产售后，三个工作日内联系您",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(hours=3),
    )
    services.complaint_mark_handled(
        complaint_id=complaint.pk,
        outcome="已转地产售后部",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(hours=4),
    )
    assert clock(complaint, crules.REPLY).met_at == T0 + dt.timedelta(hours=3)
    assert clock(complaint, crules.HANDLE).met_at == T0 + dt.timedelta(hours=4)


@pytest.mark.django_db
def test_grading_needs_a_reason_when_not_the_proposal(make_complaint, staff):
    complaint = make_complaint(T0, category="other")  # proposed minor
    with pytest.raises(ValidationError):
        services.complaint_grade(
            complaint_id=complaint.pk, grade="important", actor=staff["frontdesk"], at=T0
        )
    complaint.refresh_from_db()
    assert complaint.grade == ""
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade="important",
        reason="保安态度恶劣",
        actor=staff["frontdesk"],
        at=T0,
    )
    complaint.refresh_from_db()
    assert (complaint.grade, complaint.grade_reason) == ("important", "保安态度恶劣")


@pytest.mark.django_db
def test_regrading_is_audited_and_reschedules_the_grade_clocks(make_complaint, staff):
    complaint = make_complaint(T0, category="other")
    services.complaint_grade(
        complaint_id=complaint.pk, grade="minor", actor=staff["frontdesk"], at=T0
    )
    old_handle = clock(complaint, crules.HANDLE)
    regraded_at = T0 + dt.timedelta(hours=2)
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade="important",
        reason="业主反映多次未解决",
        actor=staff["supervisor"],
        at=regraded_at,
    )
    complaint.refresh_from_db()
    assert complaint.grade == "important"
    assert complaint.graded_by == staff["supervisor"]
    event = complaint.events.get(action="regraded")
    assert event.data == {"from_grade": "minor", "to_grade": "important"}
    assert event.actor == staff["supervisor"]
    assert event.note == "业主反映多次未解决"
    # The same clocks, rescheduled to the new grade's rule from receipt (not cancelled).
    assert clock(complaint, crules.HANDLE).pk == old_handle.pk
    assert clock(complaint, crules.HANDLE).due_at == T0 + dt.timedelta(days=3)
    assert clock(complaint, crules.REPORT).due_at == T0 + dt.timedelta(hours=1)
    assert not Deadline.objects.for_subject(complaint).filter(cancelled_at__isnull=False).exists()
    with pytest.raises(ValidationError):
        services.complaint_grade(
            complaint_id=complaint.pk, grade="major", actor=staff["frontdesk"], at=regraded_at
        )


@pytest.mark.django_db
def test_written_complaint_needs_a_written_reply(make_complaint, staff):
    complaint = make_complaint(T0, channel="letter")
    assert complaint.written is True
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="电话告知处理进度",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(hours=1),
    )
    assert clock(complaint, crules.REPLY).met_at is None
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="letter",
        text="书面回复：已安排整改",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(days=1),
    )
    assert clock(complaint, crules.REPLY).met_at == T0 + dt.timedelta(days=1)
    complaint.refresh_from_db()
    assert complaint.first_reply_at == T0 + dt.timedelta(days=1)


@pytest.mark.django_db
def test_staff_complaints_about_staff_conduct_go_to_hr(make_complaint):
    with pytest.raises(ValidationError) as caught:
        make_complaint(T0, complainant_kind="staff", category="staff")
    assert "category" in caught.value.message_dict
    assert not Complaint.objects.exists()
    assert make_complaint(T0, complainant_kind="staff", category="efficiency").pk


# --- a closed complaint runs no clock; extensions ----------------------------------------------------


@pytest.mark.django_db
def test_every_grade_needs_a_reply_before_handled(make_complaint, staff):
    complaint = graded(make_complaint, staff, "minor", category="other")
    with pytest.raises(InvalidTransition):
        services.complaint_mark_handled(
            complaint_id=complaint.pk, outcome="已处理", actor=staff["supervisor"], at=TUESDAY
        )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.HANDLING


@pytest.mark.django_db
def test_closing_cancels_the_clocks_still_running(make_complaint, staff):
    complaint = handled(make_complaint, staff, "minor", category="other")
    report = clock(complaint, crules.REPORT)
    assert report.is_open  # never reported up
    closed_at = TUESDAY + dt.timedelta(days=1)
    callback = Callback.objects.get(complaint=complaint)
    cb_queue.callback_complete(
        callback_id=callback.pk, satisfaction=5, actor=staff["supervisor"], at=closed_at
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert not Deadline.objects.for_subject(complaint).open().exists()
    report.refresh_from_db()
    assert report.cancelled_at == closed_at


@pytest.mark.django_db
def test_a_breached_handling_clock_is_not_extended_and_nothing_is_written(make_complaint, staff):
    complaint = graded(make_complaint, staff, "important", category="staff")
    handle = clock(complaint, crules.HANDLE)
    sweep(now=handle.due_at + dt.timedelta(seconds=1))
    with pytest.raises(InvalidTransition):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=handle.due_at + dt.timedelta(days=3),
            reason="等配件",
            actor=staff["gm"],
            at=handle.due_at - dt.timedelta(hours=1),  # backdated before the due time
        )
    assert not ComplaintExtension.objects.exists()
    assert not complaint.events.filter(action="extended").exists()
    assert clock(complaint, crules.HANDLE).due_at == handle.due_at


@pytest.mark.django_db(transaction=True)
def test_an_extension_racing_the_sweep_writes_nothing(make_complaint, staff):
    """The sweep holds the deadline row and breaches it while the GM approves an extension: the
    extension waits for the row, sees the breach and is refused; no extension row is left."""
    complaint = graded(make_complaint, staff, "important", category="staff")
    handle = clock(complaint, crules.HANDLE)
    locked, release = threading.Event(), threading.Event()

    def sweep_like():
        try:
            with transaction.atomic():
                Deadline.objects.select_for_update().get(pk=handle.pk)
                locked.set()
                release.wait(10)
                Deadline.objects.filter(pk=handle.pk).update(breached_at=handle.due_at)
        finally:
            connection.close()

    worker = threading.Thread(target=sweep_like)
    worker.start()
    assert locked.wait(10)
    threading.Timer(1.0, release.set).start()  # let the extension reach the row first
    with pytest.raises(InvalidTransition):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=handle.due_at + dt.timedelta(days=3),
            reason="等配件",
            actor=staff["gm"],
            at=TUESDAY,
        )
    worker.join(10)
    assert not ComplaintExtension.objects.exists()
    after = clock(complaint, crules.HANDLE)
    assert (after.due_at, after.breached_at) == (handle.due_at, handle.due_at)


@pytest.mark.django_db
def test_an_extension_moves_the_clock_and_records_the_old_time(make_complaint, staff):
    complaint = graded(make_complaint, staff, "important", category="staff")
    old_due = clock(complaint, crules.HANDLE).due_at
    new_due = old_due + dt.timedelta(days=2)
    extension = services.complaint_extend(
        complaint_id=complaint.pk,
        new_due_at=new_due,
        reason="等配件",
        actor=staff["gm"],
        at=TUESDAY,
    )
    assert (extension.old_due_at, extension.new_due_at) == (old_due, new_due)
    assert clock(complaint, crules.HANDLE).due_at == new_due


# --- regrading keeps a breach on record --------------------------------------------------------------


@pytest.mark.django_db
def test_regrading_keeps_a_breached_clock_on_record(make_complaint, staff):
    complaint = graded(make_complaint, staff, "minor", category="other")
    handle = clock(complaint, crules.HANDLE)
    sweep(now=handle.due_at + dt.timedelta(seconds=1))
    handle.refresh_from_db()
    breached_at = handle.breached_at
    assert breached_at is not None
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade="important",
        reason="多次反映",
        actor=staff["supervisor"],
        at=handle.due_at + dt.timedelta(hours=1),
    )
    after = clock(complaint, crules.HANDLE)
    assert after.pk == handle.pk  # not cancelled and reopened as a fresh, green clock
    assert (after.breached_at, after.due_at) == (breached_at, handle.due_at)
    assert Deadline.objects.for_subject(complaint).filter(kind=crules.HANDLE).count() == 1
