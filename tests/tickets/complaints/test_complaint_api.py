"""/api/v1/complaints/ and /api/v1/callbacks/: scoping, actions, 409s, the queue order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import api_as
from tests.factories import UnitFactory, make_staff
from tickets.models import Callback, Complaint
from tickets.services import complaints as services


@pytest.fixture
def stranger(other_estate):
    return make_staff("stranger", "frontdesk", "supervisor", "gm", estates=[other_estate])


@pytest.mark.django_db
def test_create_with_few_fields_and_read_back(api, unit, staff):
    response = api.post(
        "/api/v1/complaints/",
        {
            "unit": unit.code,
            "complainant_name": "李先生",
            "complainant_phone": "13912345678",
            "category": "efficiency",
            "description": "报修三次无人上门",
            "promise_broken": True,
            "apologised": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("TS")
    assert body["proposed_grade"] == "major"
    assert body["proposed_reasons"] == ["promise_broken"]
    assert body["status"] == "received"
    assert body["owner"] == "frontdesk"
    assert body["complainant_phone"] == "13912345678"  # the front desk calls back
    assert [d["kind"] for d in body["deadlines"]] == ["complaint.reply"]


@pytest.mark.django_db
def test_phone_is_masked_for_roles_that_do_not_call(unit, staff, make_complaint):
    complaint = make_complaint()
    body = api_as(staff["technician"]).get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert body["complainant_phone"] == "138****1111"


@pytest.mark.django_db
def test_bad_input_is_a_clear_error_and_changes_nothing(api):
    response = api.post(
        "/api/v1/complaints/", {"category": "nonsense", "description": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"category", "description"}
    response = api.post(
        "/api/v1/complaints/", {"category": "other", "description": "无名投诉"}, format="json"
    )
    assert response.status_code == 400
    assert "complainant_name" in response.json()["error"]["fields"]
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_another_estates_complaint_and_callback_are_404(make_complaint, staff, stranger):
    complaint = make_complaint()
    client = api_as(stranger)
    assert client.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert client.get("/api/v1/complaints/").json()["results"] == []
    for action, payload in [
        ("grade", {"grade": "major", "reason": "x"}),
        ("reply", {"channel": "phone", "text": "x"}),
        ("handle", {"outcome": "x"}),
    ]:
        response = client.post(
            f"/api/v1/complaints/{complaint.pk}/{action}/", payload, format="json"
        )
        assert response.status_code == 404, action
    complaint.refresh_from_db()
    assert complaint.grade == ""
    services.complaint_grade(
        complaint_id=complaint.pk, grade="important", reason="x", actor=staff["supervisor"]
    )
    services.complaint_reply(
        complaint_id=complaint.pk, channel="phone", text="x", actor=staff["supervisor"]
    )
    services.complaint_mark_handled(
        complaint_id=complaint.pk, outcome="已处理", actor=staff["supervisor"]
    )
    callback = Callback.objects.get(complaint=complaint)
    assert client.get(f"/api/v1/callbacks/{callback.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/callbacks/{callback.pk}/complete/", {"satisfaction": 5}, format="json"
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_whole_loop_through_the_api(api, make_complaint, staff):
    complaint = make_complaint(category="staff")
    base = f"/api/v1/complaints/{complaint.pk}"
    # Handling before grading: 409.
    response = api.post(f"{base}/handle/", {"outcome": "已处理"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    body = api.post(f"{base}/grade/", {"grade": "important"}, format="json").json()
    assert body["grade"] == "important"
    assert body["graded_by"] == "frontdesk"
    assert {d["kind"] for d in body["deadlines"]} == {
        "complaint.reply",
        "complaint.report",
        "complaint.handle",
    }
    body = api.post(
        f"{base}/report-up/", {"reported_to": ["supervisor"], "note": "电话报告"}, format="json"
    ).json()
    assert body["reported_up_at"] is not None
    # Only the GM approves a longer handling time: 403 for the front desk.
    response = api.post(
        f"{base}/extend/",
        {"new_due_at": (timezone.now() + dt.timedelta(days=6)).isoformat(), "reason": "等配件"},
        format="json",
    )
    assert response.status_code == 403
    body = api.post(
        f"{base}/reply/", {"channel": "phone", "text": "已道歉并整改"}, format="json"
    ).json()
    assert body["first_reply_at"] is not None
    body = api.post(f"{base}/handle/", {"outcome": "已整改"}, format="json").json()
    assert body["status"] == "handled"
    callback = Callback.objects.get(complaint=complaint)
    cb = f"/api/v1/callbacks/{callback.pk}"
    body = api.get(f"{cb}/").json()
    assert body["kind"] == "complaint"
    assert body["ticket"] == complaint.number
    assert body["assigned_to"] == "supervisor"
    assert body["second_caller"] == "area_admin"
    assert body["call_advice"]["kind"] in {"now", "at", "before"}
    # The front desk does not make complaint callbacks: 403, nothing recorded.
    response = api.post(f"{cb}/attempt/", {"outcome": "no_answer"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"]
    response = api.post(f"{cb}/complete/", {"satisfaction": 5}, format="json")
    assert response.status_code == 403
    caller = api_as(staff["supervisor"])  # the assigned caller
    body = caller.post(f"{cb}/attempt/", {"outcome": "no_answer"}, format="json").json()
    assert [a["outcome"] for a in body["attempts"]] == ["no_answer"]
    assert body["status"] == "pending"
    body = caller.post(
        f"{cb}/complete/",
        {"satisfaction": 1, "comment": "不满意", "confirmed_by_resident": True},
        format="json",
    ).json()
    assert body["status"] == "done"
    assert body["second_handling"]["area_admin"] == "area_admin"
    assert body["second_handling"]["department_head"] == "supervisor"
    assert api.get(f"{base}/").json()["status"] == "reopened"
    # A completed callback takes no more attempts: 409.
    response = caller.post(f"{cb}/attempt/", {"outcome": "no_answer"}, format="json")
    assert response.status_code == 409
    # The second handling is recorded by the area administrator / department head, not the desk.
    response = api.post(f"{cb}/second-handling-done/", {"outcome": "上门处理"}, format="json")
    assert response.status_code == 403
    body = (
        api_as(staff["area_admin"])
        .post(f"{cb}/second-handling-done/", {"outcome": "上门处理"}, format="json")
        .json()
    )
    assert body["second_handling"]["done_by"] == "area_admin"
    detail = api.get(f"{base}/").json()
    assert [e["action"] for e in detail["events"]][:3] == ["created", "graded", "reported_up"]


@pytest.mark.django_db
def test_callback_queue_is_ordered_by_due_time_and_paginated(api, estate, staff, make_complaint):
    now = timezone.now()
    made = []
    for hours in (5, 1, 3):
        unit = UnitFactory(building__estate=estate)
        c = make_complaint(now - dt.timedelta(hours=hours), unit=unit, category="other")
        services.complaint_grade(complaint_id=c.pk, grade="minor", actor=staff["frontdesk"])
        services.complaint_reply(
            complaint_id=c.pk,
            channel="phone",
            text="已答复",
            actor=staff["frontdesk"],
            at=now - dt.timedelta(hours=hours),
        )
        services.complaint_mark_handled(
            complaint_id=c.pk,
            outcome="已处理",
            actor=staff["frontdesk"],
            at=now - dt.timedelta(hours=hours),
        )
        made.append(c)
    page = api.get("/api/v1/callbacks/", {"page_size": 2, "status": "pending"}).json()
    assert [r["ticket"] for r in page["results"]] == [made[0].number, made[2].number]
    rest = api.get(page["next"]).json()
    assert [r["ticket"] for r in rest["results"]] == [made[1].number]
    mine = api_as(staff["area_admin"]).get("/api/v1/callbacks/", {"mine": "true"}).json()
    assert len(mine["results"]) == 3
    assert api_as(staff["gm"]).get("/api/v1/callbacks/", {"mine": "true"}).json()["results"] == []


@pytest.mark.django_db
def test_complaint_list_filters(api, make_complaint, staff, estate):
    a = make_complaint(category="staff")
    b = make_complaint(category="other", unit=UnitFactory(building__estate=estate))
    services.complaint_grade(complaint_id=a.pk, grade="important", actor=staff["frontdesk"])
    numbers = lambda **q: [r["number"] for r in api.get("/api/v1/complaints/", q).json()["results"]]  # noqa: E731
    assert numbers(grade="important") == [a.number]
    assert numbers(category="other") == [b.number]
    assert numbers(status="received") == [b.number]
    assert numbers(mine="true") == sorted([a.number, b.number], reverse=True)
    assert numbers(overdue="true") == []
