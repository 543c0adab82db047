"""Callbacks: who calls, attempts, the outcome, and the dissatisfied loop (reopen + second
handling with its own deadline), for complaints and repairs alike."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from propserv.errors import InvalidTransition
from propserv.models import Deadline, Notification
from propserv.registry import registry
from tests.factories import ResidentFactory, make_staff
from tests.tickets.complaints.conftest import TUESDAY, at, clock, handled
from tickets import rules as repair_rules
from tickets.models import (
    Callback,
    CallbackAttempt,
    Complaint,
    Repair,
    SecondHandling,
)
from tickets.rules import callbacks as cbrules
from tickets.rules import complaints as crules
from tickets.services import callbacks as cb_services
from tickets.services import complaints as services
from tickets.services import queue as cb_queue
from tickets.services import repairs as repair_services
from tickets.services import second_handlings

T0 = at(2026, 11, 16, 9, 0)  # Monday


def handled_complaint(make_complaint, staff, grade="important", **kwargs):
    kwargs.setdefault("category", "staff")
    complaint = make_complaint(T0, **kwargs)
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade=grade,
        reason="定级",
        invalid_reason="developer" if grade == "invalid" else "",
        actor=staff["frontdesk"],
        at=T0,
    )
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已向您道歉并安排整改",
        actor=staff["frontdesk"],
        at=T0 + dt.timedelta(hours=2),
    )
    services.complaint_mark_handled(
        complaint_id=complaint.pk,
        outcome="已约谈当班保安并整改",
        actor=staff["supervisor"],
        at=T0 + dt.timedelta(hours=5),
    )
    return Complaint.objects.get(pk=complaint.pk)


@pytest.mark.django_db
def test_handled_complaint_is_called_back_within_3_days_by_supervisor_and_area_admin(
    make_complaint, staff
):
    complaint = handled_complaint(make_complaint, staff)
    assert complaint.status == Complaint.Status.HANDLED
    callback = Callback.objects.get(complaint=complaint)
    handled_at = T0 + dt.timedelta(hours=5)
    assert callback.due_at == handled_at + dt.timedelta(days=3)
    assert clock(complaint, crules.CALLBACK).due_at == callback.due_at
    assert callback.assigned_to == staff["supervisor"]
    assert callback.second_caller == staff["area_admin"]
    assert Notification.objects.filter(
        recipient=staff["area_admin"], dedupe_key=f"callback:{callback.pk}:due"
    ).exists()


@pytest.mark.django_db
def test_major_complaint_is_called_back_by_the_project_manager(make_complaint, staff):
    complaint = handled_complaint(make_complaint, staff, grade="major", households=3)
    callback = Callback.objects.get(complaint=complaint)
    assert callback.assigned_to == staff["project_manager"]
    assert callback.second_caller is None


@pytest.mark.django_db
def test_callers_can_be_overridden(make_complaint, staff, estate):
    complaint = handled_complaint(make_complaint, staff)
    callback = Callback.objects.get(complaint=complaint)
    cb_services.callback_assign(
        callback_id=callback.pk,
        assigned_to=staff["project_manager"],
        second_caller=None,
        actor=staff["supervisor"],
    )
    callback.refresh_from_db()
    assert (callback.assigned_to, callback.second_caller) == (staff["project_manager"], None)
    stranger = make_staff("stranger", "area_admin", estates=[])
    with pytest.raises(ValidationError):
        cb_services.callback_assign(
            callback_id=callback.pk, assigned_to=stranger, actor=staff["supervisor"]
        )


@pytest.mark.django_db
def test_attempts_do_not_meet_the_clock_and_a_wrong_number_is_flagged(make_complaint, staff, unit):
    resident = ResidentFactory(unit=unit, name="王女士", phone="13800001111")
    complaint = handled_complaint(make_complaint, staff)
    assert complaint.complainant == resident
    callback = Callback.objects.get(complaint=complaint)
    cb_services.callback_record_attempt(
        callback_id=callback.pk,
        outcome="no_answer",
        actor=staff["area_admin"],
        at=T0 + dt.timedelta(days=1),
    )
    cb_services.callback_record_attempt(
        callback_id=callback.pk,
        outcome="wrong_number",
        note="空号",
        actor=staff["area_admin"],
        at=T0 + dt.timedelta(days=1, hours=1),
    )
    resident.refresh_from_db()
    assert resident.phone_invalid is True
    assert clock(complaint, crules.CALLBACK).met_at is None
    callback.refresh_from_db()
    assert callback.status == Callback.Status.PENDING
    assert list(callback.attempts.values_list("outcome", flat=True)) == [
        "no_answer",
        "wrong_number",
    ]
    assert complaint.events.filter(action="callback_attempt").count() == 2
    with pytest.raises(ValidationError):
        cb_services.callback_record_attempt(
            callback_id=callback.pk, outcome="busy", actor=staff["area_admin"]
        )


@pytest.mark.django_db
def test_satisfied_callback_closes_the_complaint_and_meets_the_clock(make_complaint, staff):
    complaint = handled_complaint(make_complaint, staff)
    callback = Callback.objects.get(complaint=complaint)
    done_at = T0 + dt.timedelta(days=2)
    cb_queue.callback_complete(
        callback_id=callback.pk,
        satisfaction=4,
        comment="满意",
        confirmed_by_resident=True,
        actor=staff["supervisor"],
        at=done_at,
    )
    complaint.refresh_from_db()
    callback.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert complaint.closed_at == done_at
    assert (callback.status, callback.satisfaction, callback.confirmed_by_resident) == (
        "done",
        4,
        True,
    )
    assert callback.attempts.get().outcome == CallbackAttempt.Outcome.REACHED
    assert clock(complaint, crules.CALLBACK).met_at == done_at
    # A double submit changes nothing.
    cb_queue.callback_complete(
        callback_id=callback.pk, satisfaction=1, actor=staff["supervisor"], at=done_at
    )
    callback.refresh_from_db()
    assert callback.satisfaction == 4
    with pytest.raises(InvalidTransition):
        cb_services.callback_record_attempt(
            callback_id=callback.pk, outcome="no_answer", actor=staff["supervisor"]
        )


@pytest.mark.django_db
def test_dissatisfied_reopens_and_assigns_a_second_handling_until_satisfied(make_complaint, staff):
    complaint = handled_complaint(make_complaint, staff)
    callback = Callback.objects.get(complaint=complaint)
    t1 = T0 + dt.timedelta(days=1)
    cb_queue.callback_complete(
        callback_id=callback.pk,
        satisfaction=2,
        comment="保安仍然态度差",
        actor=staff["supervisor"],
        at=t1,
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REOPENED
    assert complaint.reopen_count == 1
    assert clock(complaint, crules.CALLBACK).met_at == t1  # the callback itself was done
    second = SecondHandling.objects.get(complaint=complaint)
    assert second.area_admin == staff["area_admin"]
    assert second.department_head == staff["supervisor"]
    own = clock(second, cbrules.SECOND_HANDLING)
    assert own.due_at == t1 + dt.timedelta(days=3)  # the important grade's handling time
    assert second.due_at == own.due_at
    told = set(
        Notification.objects.filter(dedupe_key=f"second-handling:{second.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"area_admin", "supervisor"}
    # Handled again: the second handling is done and a new callback is due.
    t2 = t1 + dt.timedelta(days=1)
    services.complaint_mark_handled(
        complaint_id=complaint.pk,
        outcome="区域管理员与部门主管上门致歉，更换岗位",
        actor=staff["area_admin"],
        at=t2,
    )
    second.refresh_from_db()
    assert second.done_at == t2
    assert clock(second, cbrules.SECOND_HANDLING).met_at == t2
    again = Callback.objects.get(complaint=complaint, status="pending")
    assert again.due_at == t2 + dt.timedelta(days=3)
    cb_queue.callback_complete(
        callback_id=again.pk, satisfaction=5, actor=staff["supervisor"], at=t2
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    actions = list(complaint.events.values_list("action", flat=True))
    assert actions.count("called_back") == 2
    assert "second_handling" in actions and "second_handling_done" in actions


@pytest.mark.django_db
def test_repair_callback_through_the_queue_and_the_repair_screen(estate, unit, staff, categories):
    repair = repair_services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["drainage"],
        description="厨房下水道堵塞",
        actor=staff["frontdesk"],
        received_at=T0,
        now=T0,
    )
    tech = staff["technician"]
    repair_services.repair_dispatch(
        repair_id=repair.pk, technician=tech, actor=staff["frontdesk"], at=T0
    )
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech, at=T0)
    repair_services.repair_start(repair_id=repair.pk, actor=tech, at=T0)
    done = T0 + dt.timedelta(hours=1)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=40, signed_by="王女士", at=done
    )
    callback = Callback.objects.get(repair=repair)
    assert callback.assigned_to == staff["area_admin"]  # repairs: the area administrator
    assert callback.due_at == done + dt.timedelta(hours=48)
    cb_services.callback_record_attempt(
        callback_id=callback.pk, outcome="no_answer", actor=staff["area_admin"], at=done
    )
    assert clock(repair, repair_rules.CALLBACK).met_at is None
    cb_queue.callback_complete(
        callback_id=callback.pk,
        satisfaction=1,
        comment="还是堵",
        actor=staff["area_admin"],
        at=done + dt.timedelta(hours=3),
    )
    repair.refresh_from_db()
    callback.refresh_from_db()
    assert repair.status == Repair.Status.REOPENED
    assert callback.status == Callback.Status.DONE
    second = SecondHandling.objects.get(repair=repair)
    assert (second.area_admin, second.department_head) == (staff["area_admin"], staff["supervisor"])
    assert clock(second, cbrules.SECOND_HANDLING).due_at == done + dt.timedelta(hours=5)
    assert repair.events.filter(action="second_handling").exists()
    second_handlings.second_handling_finish(
        second_handling_id=second.pk, outcome="上门疏通并致歉", actor=staff["area_admin"]
    )
    second.refresh_from_db()
    assert second.done_at is not None


@pytest.mark.django_db
def test_dissatisfied_via_the_repair_service_also_opens_the_second_handling(
    estate, unit, staff, categories
):
    """The lead's repair screen records callbacks with repair_record_callback directly."""
    repair = repair_services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["lighting"],
        description="楼道灯不亮",
        actor=staff["frontdesk"],
        received_at=T0,
        now=T0,
    )
    tech = staff["technician"]
    repair_services.repair_dispatch(
        repair_id=repair.pk, technician=tech, actor=staff["frontdesk"], at=T0
    )
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech, at=T0)
    repair_services.repair_start(repair_id=repair.pk, actor=tech, at=T0)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=10, signed_by="李先生", at=T0
    )
    repair_services.repair_record_callback(
        repair_id=repair.pk, satisfaction=2, actor=staff["area_admin"], at=T0
    )
    assert SecondHandling.objects.filter(repair=repair).count() == 1
    assert Deadline.objects.filter(kind=cbrules.SECOND_HANDLING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_callback_at_once(make_complaint, staff):

    complaint = handled_complaint(make_complaint, staff)
    callback = Callback.objects.get(complaint=complaint)
    barrier = threading.Barrier(2)
    errors = []

    def record(score):
        try:
            barrier.wait()
            cb_queue.callback_complete(
                callback_id=callback.pk, satisfaction=score, actor=staff["supervisor"]
            )
        except Exception as exc:  # pragma: no cover – reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(s,)) for s in (1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    complaint.refresh_from_db()
    assert complaint.events.filter(action="called_back").count() == 1
    assert Callback.objects.filter(complaint=complaint, status="done").count() == 1
    # Whichever came first decided: closed, or reopened with exactly one second handling.
    if complaint.status == Complaint.Status.REOPENED:
        assert SecondHandling.objects.filter(complaint=complaint).count() == 1
    else:
        assert complaint.status == Complaint.Status.CLOSED
        assert not SecondHandling.objects.exists()


# --- a double-submitted attempt ----------------------------------------------------------------------
@pytest.mark.django_db
def test_a_double_submitted_attempt_is_recorded_once(make_complaint, staff):
    complaint = handled(make_complaint, staff, "important", category="staff")
    callback = Callback.objects.get(complaint=complaint)
    t = TUESDAY + dt.timedelta(hours=5)
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


@pytest.fixture
def hooked():
    """Hooks registered as a higher app would (visits closes the reception entry); removed after."""
    calls = []
    points = ("repair.called_back", "complaint.called_back")
    for point in points:
        registry.add_hook(point, "test", lambda point=point, **kw: calls.append((point, kw)))
    yield calls
    for point in points:
        registry.hooks.pop((point, "test"), None)


def completed_repair(estate, unit, staff, categories):
    repair = repair_services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["drainage"],
        description="厨房下水道堵塞",
        actor=staff["frontdesk"],
        received_at=T0,
        now=T0,
    )
    tech = staff["technician"]
    repair_services.repair_dispatch(
        repair_id=repair.pk, technician=tech, actor=staff["frontdesk"], at=T0
    )
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech, at=T0)
    repair_services.repair_start(repair_id=repair.pk, actor=tech, at=T0)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=10, signed_by="王女士", at=T0
    )
    return repair


@pytest.mark.django_db
def test_a_satisfied_repair_callback_calls_the_hooks_once(hooked, estate, unit, staff, categories):
    repair = completed_repair(estate, unit, staff, categories)
    callback = Callback.objects.get(repair=repair)
    for _twice in range(2):  # a double submit calls nothing again
        cb_queue.callback_complete(
            callback_id=callback.pk, satisfaction=4, actor=staff["area_admin"], at=T0
        )
    assert [(p, kw["repair"].pk, kw["actor"]) for p, kw in hooked] == [
        ("repair.called_back", repair.pk, staff["area_admin"])
    ]
    assert kw_status(hooked) == Repair.Status.CLOSED


def kw_status(calls):
    return calls[0][1]["repair"].status


@pytest.mark.django_db
def test_a_dissatisfied_callback_calls_no_hook(hooked, estate, unit, staff, categories):
    repair = completed_repair(estate, unit, staff, categories)
    repair_services.repair_record_callback(
        repair_id=repair.pk, satisfaction=2, actor=staff["area_admin"], at=T0
    )
    assert hooked == []


@pytest.mark.django_db
def test_a_satisfied_complaint_callback_calls_the_hooks_once(hooked, make_complaint, staff):
    complaint = handled_complaint(make_complaint, staff)
    callback = Callback.objects.get(complaint=complaint)
    cb_queue.callback_complete(
        callback_id=callback.pk, satisfaction=5, actor=staff["supervisor"], at=T0
    )
    assert [(p, kw["complaint"].pk, kw["actor"]) for p, kw in hooked] == [
        ("complaint.called_back", complaint.pk, staff["supervisor"])
    ]


@pytest.mark.django_db
def test_a_failing_hook_undoes_the_callback(estate, unit, staff, categories):
    """The hook runs inside the callback's transaction: both happen or neither."""

    def broken(**kwargs):
        raise RuntimeError("reception entry locked")

    registry.add_hook("repair.called_back", "test-broken", broken)
    try:
        repair = completed_repair(estate, unit, staff, categories)
        with pytest.raises(RuntimeError):
            repair_services.repair_record_callback(
                repair_id=repair.pk, satisfaction=5, actor=staff["area_admin"], at=T0
            )
    finally:
        registry.hooks.pop(("repair.called_back", "test-broken"), None)
    repair.refresh_from_db()
    assert repair.status == Repair.Status.COMPLETED
    assert Callback.objects.get(repair=repair).status == Callback.Status.PENDING


@pytest.mark.django_db
def test_the_outcome_form_has_no_preselected_score(client, make_complaint, staff):
    """Issue 12, item 11: the score is a deliberate choice."""
    complaint = handled_complaint(make_complaint, staff)
    callback = Callback.objects.get(complaint=complaint)
    client.force_login(staff["supervisor"])
    page = client.get(callback.get_absolute_url()).content.decode()
    start = page.index('data-testid="callback-outcome"')
    form = page[start : page.index("</form>", start)]
    assert 'name="satisfaction"' in form and 'required id="id_satisfaction"' in form
    assert '<option value="" selected>' in form  # "Choose…", not a score
    assert not any(f'<option value="{n}" selected>' in form for n in range(1, 6))
    response = client.post(
        reverse("tickets:callback-action", args=[callback.pk, "complete"]),
        {"comment": "住户说还行"},
    )
    assert response.status_code == 200
    assert response.context["outcome_form"].errors["satisfaction"]
    assert "住户说还行" in response.content.decode()  # what was typed stays
    callback.refresh_from_db()
    assert callback.status == Callback.Status.PENDING
