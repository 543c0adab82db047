"""Review fixes: who may grade and act on complaints and callbacks, no clock left running on a
closed complaint, a refused extension writes nothing, regrading keeps a breach on record,
a running month cannot be filed, double submits of replies and attempts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from propserv.deadlines import deadline_cancel, sweep
from propserv.models import Deadline
from tests.conftest import api_as
from tests.tickets.complaints.conftest import at, clock
from tickets import complaint_rules as crules
from tickets import reports
from tickets.models import (
    Callback,
    CallbackAttempt,
    Complaint,
    ComplaintExtension,
    ComplaintReply,
    MonthlyComplaintReport,
)
from tickets.services import callbacks as cb_services
from tickets.services import complaints as services

T0 = at(2026, 11, 17, 10, 0)  # a Tuesday


def graded(make_complaint, staff, grade="minor", **kwargs) -> Complaint:
    complaint = make_complaint(T0, **kwargs)
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade=grade,
        reason="定级",
        invalid_reason="developer" if grade == "invalid" else "",
        actor=staff["frontdesk"],
        at=T0,
    )
    return Complaint.objects.get(pk=complaint.pk)


def handled(make_complaint, staff, grade="important", **kwargs) -> Complaint:
    complaint = graded(make_complaint, staff, grade, **kwargs)
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已致歉",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(hours=1),
    )
    services.complaint_mark_handled(
        complaint_id=complaint.pk,
        outcome="已处理",
        actor=staff["supervisor"],
        at=T0 + dt.timedelta(hours=2),
    )
    return Complaint.objects.get(pk=complaint.pk)


# --- 1. roles ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["technician", "patrol", "finance"])
def test_only_the_desk_and_managers_grade(make_complaint, staff, role):
    complaint = make_complaint(T0)
    with pytest.raises(PermissionDenied):
        services.complaint_grade(
            complaint_id=complaint.pk, grade="minor", reason="x", actor=staff[role], at=T0
        )
    complaint.refresh_from_db()
    assert (complaint.grade, complaint.status) == ("", Complaint.Status.RECEIVED)
    assert not complaint.events.filter(action="graded").exists()


@pytest.mark.django_db
def test_lowering_a_major_complaint_needs_quality_or_gm(make_complaint, staff):
    complaint = graded(make_complaint, staff, "major", injury_or_loss=True)
    for role in ("frontdesk", "supervisor", "project_manager"):
        with pytest.raises(PermissionDenied):
            services.complaint_grade(
                complaint_id=complaint.pk,
                grade="minor",
                reason="误判",
                actor=staff[role],
                at=T0 + dt.timedelta(hours=1),
            )
    complaint.refresh_from_db()
    assert complaint.grade == "major"
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade="important",
        reason="核实后非重大",
        actor=staff["quality"],
        at=T0 + dt.timedelta(hours=1),
    )
    complaint.refresh_from_db()
    assert complaint.grade == "important"


@pytest.mark.django_db
def test_an_auto_upgraded_complaint_is_lowered_only_by_quality_or_gm(make_complaint, staff):
    complaint = graded(make_complaint, staff, "minor", category="other")
    month = T0 + dt.timedelta(days=30)
    assert services.complaints_auto_upgrade(now=month) == 1
    with pytest.raises(PermissionDenied):
        services.complaint_grade(
            complaint_id=complaint.pk,
            grade="minor",
            reason="x",
            actor=staff["supervisor"],
            at=month,
        )
    services.complaint_grade(
        complaint_id=complaint.pk, grade="minor", reason="核实", actor=staff["gm"], at=month
    )
    complaint.refresh_from_db()
    assert complaint.grade == "minor"


@pytest.mark.django_db
def test_report_up_owner_and_second_handling_refuse_field_staff(make_complaint, staff):
    complaint = graded(make_complaint, staff, "important", category="staff")
    with pytest.raises(PermissionDenied):
        services.complaint_report_up(
            complaint_id=complaint.pk, reported_to=["supervisor"], actor=staff["technician"]
        )
    with pytest.raises(PermissionDenied):
        services.complaint_assign_owner(
            complaint_id=complaint.pk, owner=staff["supervisor"], actor=staff["patrol"]
        )
    complaint.refresh_from_db()
    assert complaint.reported_to == [] and complaint.owner == staff["frontdesk"]
    complaint = handled(make_complaint, staff, "important", category="staff", unit=None)
    callback = Callback.objects.get(complaint=complaint)
    cb_services.callback_complete(
        callback_id=callback.pk, satisfaction=1, actor=staff["supervisor"], at=T0 + dt.timedelta(1)
    )
    second = callback.second_handling
    for role in ("technician", "frontdesk", "finance"):
        with pytest.raises(PermissionDenied):
            cb_services.second_handling_finish(
                second_handling_id=second.pk, outcome="上门处理", actor=staff[role]
            )
    second.refresh_from_db()
    assert second.done_at is None
    cb_services.second_handling_finish(
        second_handling_id=second.pk, outcome="上门处理", actor=staff["area_admin"]
    )
    second.refresh_from_db()
    assert second.done_by == staff["area_admin"]


@pytest.mark.django_db
def test_complaint_callbacks_are_made_by_the_callers_and_their_managers(make_complaint, staff):
    complaint = handled(make_complaint, staff, "important", category="staff")
    callback = Callback.objects.get(complaint=complaint)
    assert (callback.assigned_to, callback.second_caller) == (
        staff["supervisor"],
        staff["area_admin"],
    )
    for role in ("technician", "patrol", "finance", "frontdesk"):
        with pytest.raises(PermissionDenied):
            cb_services.callback_complete(
                callback_id=callback.pk, satisfaction=5, actor=staff[role]
            )
        with pytest.raises(PermissionDenied):
            cb_services.callback_assign(
                callback_id=callback.pk, assigned_to=staff["area_admin"], actor=staff[role]
            )
    with pytest.raises(ValidationError):  # a technician is not given a callback to make
        cb_services.callback_assign(
            callback_id=callback.pk, assigned_to=staff["technician"], actor=staff["supervisor"]
        )
    callback.refresh_from_db()
    assert callback.status == Callback.Status.PENDING
    assert callback.assigned_to == staff["supervisor"]
    cb_services.callback_assign(
        callback_id=callback.pk, assigned_to=staff["project_manager"], actor=staff["supervisor"]
    )
    cb_services.callback_complete(
        callback_id=callback.pk, satisfaction=5, actor=staff["project_manager"]
    )
    callback.refresh_from_db()
    assert callback.status == Callback.Status.DONE


@pytest.mark.django_db
def test_the_page_shows_the_refusal_and_the_api_answers_403(client, make_complaint, staff):
    complaint = make_complaint(T0)
    client.force_login(staff["technician"])
    response = client.post(
        reverse("tickets:complaint-action", args=[complaint.pk, "grade"]),
        {"grade": "minor", "reason": "x"},
        follow=True,
    )
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert shown and shown[0][0] == "error"
    assert "前台" in shown[0][1]  # translated: who may do it
    response = api_as(staff["technician"]).post(
        f"/api/v1/complaints/{complaint.pk}/grade/",
        {"grade": "minor", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.grade == ""
    # The callback screen says why too.
    done = handled(make_complaint, staff, "important", category="staff", unit=None)
    callback = Callback.objects.get(complaint=done)
    response = client.post(
        reverse("tickets:callback-action", args=[callback.pk, "complete"]),
        {"satisfaction": "5", "channel": "phone"},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    callback.refresh_from_db()
    assert callback.status == Callback.Status.PENDING


# --- 2. a closed complaint runs no clock -------------------------------------------------------------


@pytest.mark.django_db
def test_every_grade_needs_a_reply_before_handled(make_complaint, staff):
    complaint = graded(make_complaint, staff, "minor", category="other")
    with pytest.raises(services.TransitionError):
        services.complaint_mark_handled(
            complaint_id=complaint.pk, outcome="已处理", actor=staff["supervisor"], at=T0
        )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.HANDLING


@pytest.mark.django_db
def test_closing_cancels_the_clocks_still_running(make_complaint, staff):
    complaint = handled(make_complaint, staff, "minor", category="other")
    report = clock(complaint, crules.REPORT)
    assert report.is_open  # never reported up
    closed_at = T0 + dt.timedelta(days=1)
    callback = Callback.objects.get(complaint=complaint)
    cb_services.callback_complete(
        callback_id=callback.pk, satisfaction=5, actor=staff["supervisor"], at=closed_at
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert not Deadline.objects.for_subject(complaint).open().exists()
    report.refresh_from_db()
    assert report.cancelled_at == closed_at


# --- 3. extension -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_breached_handling_clock_is_not_extended_and_nothing_is_written(make_complaint, staff):
    complaint = graded(make_complaint, staff, "important", category="staff")
    handle = clock(complaint, crules.HANDLE)
    sweep(now=handle.due_at + dt.timedelta(seconds=1))
    with pytest.raises(services.TransitionError):
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
    with pytest.raises(services.TransitionError):
        services.complaint_extend(
            complaint_id=complaint.pk,
            new_due_at=handle.due_at + dt.timedelta(days=3),
            reason="等配件",
            actor=staff["gm"],
            at=T0,
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
        complaint_id=complaint.pk, new_due_at=new_due, reason="等配件", actor=staff["gm"], at=T0
    )
    assert (extension.old_due_at, extension.new_due_at) == (old_due, new_due)
    assert clock(complaint, crules.HANDLE).due_at == new_due


# --- 4. regrading keeps breaches on record; reports count them --------------------------------------


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


@pytest.mark.django_db
def test_the_summary_counts_a_cancelled_breached_clock_as_late(make_complaint, staff, estate):
    complaint = graded(make_complaint, staff, "minor", category="other")
    handle = clock(complaint, crules.HANDLE)
    sweep(now=handle.due_at + dt.timedelta(seconds=1))
    deadline_cancel(subject=complaint, kind=crules.HANDLE, at=handle.due_at + dt.timedelta(hours=1))
    data = reports.build_summary(estate, dt.date(2026, 11, 1), at(2026, 11, 25, 1, 0))
    assert data["handling"]["late"] == 1
    assert data["handling"]["decided"] == 1


# --- 5. a month still running is not filed ----------------------------------------------------------


@pytest.mark.django_db
def test_a_month_is_filed_only_after_its_period_ends(estate):
    month = dt.date(2026, 11, 1)  # period ends 2026-11-25 00:00
    with pytest.raises(ValidationError):
        reports.file_report(estate, month, now=at(2026, 11, 24, 23, 59))
    assert not MonthlyComplaintReport.objects.exists()
    report, created = reports.file_report(estate, month, now=at(2026, 11, 25, 0, 0))
    assert created and report.month == month


# --- 6. double submits ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_double_submitted_reply_is_recorded_once(make_complaint, staff):
    complaint = graded(make_complaint, staff, "minor", category="other")
    first = services.complaint_reply(
        complaint_id=complaint.pk, channel="phone", text="已答复", actor=staff["frontdesk"], at=T0
    )
    again = services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已答复 ",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(seconds=30),
    )
    assert again.pk == first.pk
    assert ComplaintReply.objects.filter(complaint=complaint).count() == 1
    assert complaint.events.filter(action="replied").count() == 1
    # Later, or by someone else, it is a new reply.
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已答复",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(minutes=3),
    )
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已答复",
        actor=staff["supervisor"],
        at=T0 + dt.timedelta(minutes=3),
    )
    assert ComplaintReply.objects.filter(complaint=complaint).count() == 3


@pytest.mark.django_db
def test_a_double_submitted_attempt_is_recorded_once(make_complaint, staff):
    complaint = handled(make_complaint, staff, "important", category="staff")
    callback = Callback.objects.get(complaint=complaint)
    t = T0 + dt.timedelta(hours=5)
    first = cb_services.callback_record_attempt(
        callback_id=callback.pk, outcome="no_answer", actor=staff["supervisor"], at=t
    )
    again = cb_services.callback_record_attempt(
        callback_id=callback.pk,
        outcome="no_answer",
        actor=staff["supervisor"],
        at=t + dt.timedelta(seconds=20),
    )
    assert again.pk == first.pk
    assert CallbackAttempt.objects.filter(callback=callback).count() == 1
    assert complaint.events.filter(action="callback_attempt").count() == 1
    cb_services.callback_record_attempt(
        callback_id=callback.pk,
        outcome="no_answer",
        actor=staff["supervisor"],
        at=t + dt.timedelta(minutes=5),
    )
    assert CallbackAttempt.objects.filter(callback=callback).count() == 2
