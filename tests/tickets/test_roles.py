"""Who may do what in tickets: a role × action → allowed table, written from the role
descriptions (docs/domain.md, "Who works here"), not from the code; each row is checked against
the service and against the page's `allowed_actions`, which must agree.

- front desk: logs repairs and complaints, dispatches, calls residents back after repairs;
- area administrator, supervisor, project manager: the desk's work, plus complaint callbacks;
- quality department, general manager: work complaints (grade, reply …), not repairs or calls;
- technician: works their own repair jobs on site, nothing else; never calls back on own work;
- patrol guard, finance: no ticket work.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from propserv.errors import NotAllowed
from propserv.roles import Role
from tests.conftest import api_as
from tests.factories import ResidentFactory, make_staff
from tests.tickets.complaints.conftest import TUESDAY, clock, graded, handled
from tickets.models import Callback, Complaint, Repair
from tickets.rules import complaints as crules
from tickets.services import callbacks as callback_services
from tickets.services import complaints as complaint_services
from tickets.services import queue, second_handlings
from tickets.services import repairs as repair_services

R = Role
ALL = [r.value for r in Role]
DESK = {R.FRONT_DESK, R.AREA_ADMIN, R.SUPERVISOR, R.PROJECT_MANAGER}
OFFICE = DESK | {R.QUALITY, R.GM}
CALLERS = {R.AREA_ADMIN, R.SUPERVISOR, R.PROJECT_MANAGER}


# --- scenarios: each builds a fresh record and returns (record, do(actor)) ----------------------


def _repair(estate, unit, categories, staff, *, upto: str = "received") -> Repair:
    desk = staff["frontdesk"]
    repair = repair_services.repair_create(
        estate=estate, unit=unit, category=categories["plumbing"], description="漏水", actor=desk
    )
    if upto == "received":
        return repair
    repair_services.repair_dispatch(repair_id=repair.pk, technician=staff["technician"], actor=desk)
    if upto == "dispatched":
        return Repair.objects.get(pk=repair.pk)
    tech = staff["technician"]
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech)
    repair_services.repair_start(repair_id=repair.pk, actor=tech)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=30, signed_by="王先生"
    )
    return Repair.objects.get(pk=repair.pk)


def _complaint(estate, unit, staff, *, handled: bool = False) -> Complaint:
    complaint = complaint_services.complaint_create(
        estate=estate,
        unit=unit,
        description="噪音",
        category="other",
        complainant_name="王女士",
        actor=staff["frontdesk"],
    )
    complaint_services.complaint_grade(
        complaint_id=complaint.pk, grade="minor", reason="定级", actor=staff["frontdesk"]
    )
    if handled:
        complaint_services.complaint_reply(
            complaint_id=complaint.pk, channel="phone", text="已答复", actor=staff["frontdesk"]
        )
        complaint_services.complaint_mark_handled(
            complaint_id=complaint.pk, outcome="已处理", actor=staff["frontdesk"]
        )
    return Complaint.objects.get(pk=complaint.pk)


def scenario(name, estate, unit, categories, staff):
    """(record for allowed_actions, allowed_actions function, action name, do(actor))."""
    if name == "repair.create":
        return (
            None,
            None,
            None,
            lambda actor: repair_services.repair_create(
                estate=estate,
                unit=unit,
                category=categories["plumbing"],
                description="漏水",
                actor=actor,
            ),
        )
    if name == "repair.dispatch":
        repair = _repair(estate, unit, categories, staff)
        return (
            repair,
            repair_services.allowed_actions,
            "dispatch",
            lambda actor: repair_services.repair_dispatch(
                repair_id=repair.pk, technician=staff["technician"], actor=actor
            ),
        )
    if name == "repair.arrive":
        repair = _repair(estate, unit, categories, staff, upto="dispatched")
        return (
            repair,
            repair_services.allowed_actions,
            "arrive",
            lambda actor: repair_services.repair_mark_arrived(repair_id=repair.pk, actor=actor),
        )
    if name == "repair.cancel":
        repair = _repair(estate, unit, categories, staff)
        return (
            repair,
            repair_services.allowed_actions,
            "cancel",
            lambda actor: repair_services.repair_cancel(
                repair_id=repair.pk, reason="住户取消", actor=actor
            ),
        )
    if name == "repair.callback":
        repair = _repair(estate, unit, categories, staff, upto="completed")
        return (
            repair,
            repair_services.allowed_actions,
            "callback",
            lambda actor: repair_services.repair_record_callback(
                repair_id=repair.pk, satisfaction=5, actor=actor
            ),
        )
    if name == "repair.callback_attempt":
        repair = _repair(estate, unit, categories, staff, upto="completed")
        callback = Callback.objects.get(repair=repair)
        return (
            callback,
            callback_services.allowed_actions,
            "attempt",
            lambda actor: callback_services.callback_record_attempt(
                callback_id=callback.pk, outcome="wrong_number", actor=actor
            ),
        )
    if name == "complaint.create":
        return (
            None,
            None,
            None,
            lambda actor: complaint_services.complaint_create(
                estate=estate,
                unit=unit,
                description="噪音",
                complainant_name="王女士",
                actor=actor,
            ),
        )
    if name == "complaint.reply":
        complaint = _complaint(estate, unit, staff)
        return (
            complaint,
            complaint_services.allowed_actions,
            "reply",
            lambda actor: complaint_services.complaint_reply(
                complaint_id=complaint.pk, channel="phone", text="已答复", actor=actor
            ),
        )
    if name == "complaint.grade":
        complaint = _complaint(estate, unit, staff)
        return (
            complaint,
            complaint_services.allowed_actions,
            "grade",
            lambda actor: complaint_services.complaint_grade(
                complaint_id=complaint.pk, grade="important", reason="重新定级", actor=actor
            ),
        )
    if name == "complaint.extend":
        complaint = _complaint(estate, unit, staff)
        return (
            complaint,
            complaint_services.allowed_actions,
            "extend",
            lambda actor: complaint_services.complaint_extend(
                complaint_id=complaint.pk,
                new_due_at=timezone.now() + dt.timedelta(days=30),
                reason="需要更换配件",
                actor=actor,
            ),
        )
    if name in ("complaint.callback_attempt", "complaint.callback_complete"):
        complaint = _complaint(estate, unit, staff, handled=True)
        callback = Callback.objects.get(complaint=complaint)
        if name.endswith("attempt"):
            return (
                callback,
                callback_services.allowed_actions,
                "attempt",
                lambda actor: callback_services.callback_record_attempt(
                    callback_id=callback.pk, outcome="no_answer", actor=actor
                ),
            )
        return (
            callback,
            callback_services.allowed_actions,
            "complete",
            lambda actor: queue.callback_complete(
                callback_id=callback.pk, satisfaction=5, actor=actor
            ),
        )
    raise AssertionError(name)


# The table: action -> the roles that may do it (every other role may not).
TABLE = {
    "repair.create": DESK,
    "repair.dispatch": DESK,
    "repair.cancel": DESK,
    # the assigned technician works the job; the desk records what they report
    "repair.arrive": DESK | {R.TECHNICIAN},
    # the desk calls back; never the technician who did the work
    "repair.callback": DESK,
    "repair.callback_attempt": DESK,
    "complaint.create": OFFICE,
    "complaint.reply": OFFICE,
    "complaint.grade": OFFICE,
    # a minor complaint's longer handling time: the project manager or the general manager
    "complaint.extend": {R.PROJECT_MANAGER, R.GM},
    # complaint callbacks: the callers assigned (supervisor + area admin) and their managers
    "complaint.callback_attempt": CALLERS,
    "complaint.callback_complete": CALLERS,
}
CASES = [(action, role, role in allowed) for action, allowed in TABLE.items() for role in ALL]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "allowed"), CASES)
def test_role_action_table(action, role, allowed, estate, unit, categories, staff):
    record, allowed_actions, name, do = scenario(action, estate, unit, categories, staff)
    actor = staff[role]
    if record is not None:
        assert (name in allowed_actions(record, actor)) is allowed, "the page disagrees"
    if allowed:
        do(actor)
    else:
        with pytest.raises(NotAllowed) as refused:
            do(actor)
        assert not refused.value.conceal


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(TABLE))
def test_a_stranger_to_the_estate_is_not_told_the_record_exists(
    action, estate, other_estate, unit, categories, staff
):
    """Staff of another estate, whatever their role, get a 404-like refusal."""
    record, allowed_actions, name, do = scenario(action, estate, unit, categories, staff)
    stranger = make_staff("stranger", *ALL, estates=[other_estate])
    if record is not None:
        assert allowed_actions(record, stranger) == set()
    with pytest.raises(NotAllowed) as refused:
        do(stranger)
    assert refused.value.conceal


# --- the defects this table found ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_technician_may_not_reply_to_a_complaint_nor_meet_its_reply_clock(
    estate, unit, staff, client
):
    complaint = _complaint(estate, unit, staff)
    technician = staff["technician"]
    with pytest.raises(NotAllowed):
        complaint_services.complaint_reply(
            complaint_id=complaint.pk, channel="phone", text="已答复", actor=technician
        )
    response = api_as(technician).post(
        f"/api/v1/complaints/{complaint.pk}/reply/",
        {"channel": "phone", "text": "已答复"},
        format="json",
    )
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.first_reply_at is None and not complaint.replies.exists()
    assert clock(complaint, crules.REPLY).met_at is None
    # The page does not offer it either.
    client.force_login(technician)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "complaint-action" not in page or f"/{complaint.pk}/reply/" not in page


@pytest.mark.django_db
def test_the_technician_who_did_the_job_may_not_mark_the_residents_phone_wrong(
    estate, unit, categories, staff, client
):
    resident = ResidentFactory(unit=unit, phone="13800002222")
    repair = repair_services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["plumbing"],
        description="漏水",
        reporter=resident,
        actor=staff["frontdesk"],
    )
    tech = staff["technician"]
    repair_services.repair_dispatch(repair_id=repair.pk, technician=tech, actor=staff["frontdesk"])
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech)
    repair_services.repair_start(repair_id=repair.pk, actor=tech)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=30, signed_by="王先生"
    )
    callback = Callback.objects.get(repair=repair)
    with pytest.raises(NotAllowed):
        callback_services.callback_record_attempt(
            callback_id=callback.pk, outcome="wrong_number", actor=tech
        )
    response = api_as(tech).post(
        f"/api/v1/callbacks/{callback.pk}/attempt/", {"outcome": "wrong_number"}, format="json"
    )
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.phone_invalid is False
    assert not callback.attempts.exists()
    client.force_login(tech)
    page = client.get(callback.get_absolute_url()).content.decode()
    assert f"/callbacks/{callback.pk}/attempt/" not in page
    page = client.get(repair.get_absolute_url()).content.decode()
    assert f"/repairs/{repair.pk}/callback/" not in page
    # The desk may.
    callback_services.callback_record_attempt(
        callback_id=callback.pk, outcome="wrong_number", actor=staff["frontdesk"]
    )
    resident.refresh_from_db()
    assert resident.phone_invalid is True


@pytest.mark.django_db
def test_complaints_are_logged_by_the_office_only(estate, unit, staff, client):
    for role in (R.TECHNICIAN, R.PATROL, R.FINANCE):
        with pytest.raises(NotAllowed):
            complaint_services.complaint_create(
                estate=estate, unit=unit, description="噪音", actor=staff[role]
            )
        response = api_as(staff[role]).post(
            "/api/v1/complaints/",
            {"estate": estate.code, "unit": unit.code, "category": "other", "description": "噪音"},
            format="json",
        )
        assert response.status_code == 403, (role, response.content)
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_pages_offer_only_what_the_service_accepts(estate, unit, categories, staff, client):
    repair = _repair(estate, unit, categories, staff, upto="dispatched")
    client.force_login(staff["patrol"])
    page = client.get(repair.get_absolute_url()).content.decode()
    for action in ("dispatch", "arrive", "hold", "cancel"):
        assert f"/repairs/{repair.pk}/{action}/" not in page, action
    client.force_login(staff["technician"])
    page = client.get(repair.get_absolute_url()).content.decode()
    assert f"/repairs/{repair.pk}/arrive/" in page
    assert f"/repairs/{repair.pk}/dispatch/" not in page
    assert f"/repairs/{repair.pk}/cancel/" not in page
    complaint = _complaint(estate, unit, staff)
    client.force_login(staff["frontdesk"])
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert f"/complaints/{complaint.pk}/reply/" in page
    assert f"/complaints/{complaint.pk}/extend/" not in page  # the project manager or GM
    client.force_login(staff["project_manager"])
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert f"/complaints/{complaint.pk}/extend/" in page


# --- complaints and callbacks: who may act -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["technician", "patrol", "finance"])
def test_only_the_desk_and_managers_grade(make_complaint, staff, role):
    complaint = make_complaint(TUESDAY)
    with pytest.raises(PermissionDenied):
        complaint_services.complaint_grade(
            complaint_id=complaint.pk, grade="minor", reason="x", actor=staff[role], at=TUESDAY
        )
    complaint.refresh_from_db()
    assert (complaint.grade, complaint.status) == ("", Complaint.Status.RECEIVED)
    assert not complaint.events.filter(action="graded").exists()


@pytest.mark.django_db
def test_lowering_a_major_complaint_needs_quality_or_gm(make_complaint, staff):
    complaint = graded(make_complaint, staff, "major", injury_or_loss=True)
    for role in ("frontdesk", "supervisor", "project_manager"):
        with pytest.raises(PermissionDenied):
            complaint_services.complaint_grade(
                complaint_id=complaint.pk,
                grade="minor",
                reason="误判",
                actor=staff[role],
                at=TUESDAY + dt.timedelta(hours=1),
            )
    complaint.refresh_from_db()
    assert complaint.grade == "major"
    complaint_services.complaint_grade(
        complaint_id=complaint.pk,
        grade="important",
        reason="核实后非重大",
        actor=staff["quality"],
        at=TUESDAY + dt.timedelta(hours=1),
    )
    complaint.refresh_from_db()
    assert complaint.grade == "important"


@pytest.mark.django_db
def test_an_auto_upgraded_complaint_is_lowered_only_by_quality_or_gm(make_complaint, staff):
    complaint = graded(make_complaint, staff, "minor", category="other")
    month = TUESDAY + dt.timedelta(days=30)
    assert complaint_services.complaints_auto_upgrade(now=month) == 1
    with pytest.raises(PermissionDenied):
        complaint_services.complaint_grade(
            complaint_id=complaint.pk,
            grade="minor",
            reason="x",
            actor=staff["supervisor"],
            at=month,
        )
    complaint_services.complaint_grade(
        complaint_id=complaint.pk, grade="minor", reason="核实", actor=staff["gm"], at=month
    )
    complaint.refresh_from_db()
    assert complaint.grade == "minor"


@pytest.mark.django_db
def test_report_up_owner_and_second_handling_refuse_field_staff(make_complaint, staff):
    complaint = graded(make_complaint, staff, "important", category="staff")
    with pytest.raises(PermissionDenied):
        complaint_services.complaint_report_up(
            complaint_id=complaint.pk, reported_to=["supervisor"], actor=staff["technician"]
        )
    with pytest.raises(PermissionDenied):
        complaint_services.complaint_assign_owner(
            complaint_id=complaint.pk, owner=staff["supervisor"], actor=staff["patrol"]
        )
    complaint.refresh_from_db()
    assert complaint.reported_to == [] and complaint.owner == staff["frontdesk"]
    complaint = handled(make_complaint, staff, "important", category="staff", unit=None)
    callback = Callback.objects.get(complaint=complaint)
    queue.callback_complete(
        callback_id=callback.pk,
        satisfaction=1,
        actor=staff["supervisor"],
        at=TUESDAY + dt.timedelta(1),
    )
    second = callback.second_handling
    for role in ("technician", "frontdesk", "finance"):
        with pytest.raises(PermissionDenied):
            second_handlings.second_handling_finish(
                second_handling_id=second.pk, outcome="上门处理", actor=staff[role]
            )
    second.refresh_from_db()
    assert second.done_at is None
    second_handlings.second_handling_finish(
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
            queue.callback_complete(callback_id=callback.pk, satisfaction=5, actor=staff[role])
        with pytest.raises(PermissionDenied):
            callback_services.callback_assign(
                callback_id=callback.pk, assigned_to=staff["area_admin"], actor=staff[role]
            )
    with pytest.raises(ValidationError):  # a technician is not given a callback to make
        callback_services.callback_assign(
            callback_id=callback.pk, assigned_to=staff["technician"], actor=staff["supervisor"]
        )
    callback.refresh_from_db()
    assert callback.status == Callback.Status.PENDING
    assert callback.assigned_to == staff["supervisor"]
    callback_services.callback_assign(
        callback_id=callback.pk, assigned_to=staff["project_manager"], actor=staff["supervisor"]
    )
    queue.callback_complete(callback_id=callback.pk, satisfaction=5, actor=staff["project_manager"])
    callback.refresh_from_db()
    assert callback.status == Callback.Status.DONE


@pytest.mark.django_db
def test_the_page_shows_the_refusal_and_the_api_answers_403(client, make_complaint, staff):
    complaint = make_complaint(TUESDAY)
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
