"""/api/v1/visits/, /api/v1/handovers/, /api/v1/notices/: same services, scoped to the estates."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import api_as
from tests.factories import ResidentFactory, UnitFactory, make_staff
from tests.visits.helpers import count_queries, log, phone_notice
from tickets.models import Repair
from visits.models import Visit
from visits.services import handover as handover_svc
from visits.services import notices as notice_svc
from visits.services import reception


@pytest.fixture
def outsider(other_estate):
    return make_staff("outsider", "frontdesk", "project_manager", estates=[other_estate])


def create_visit(api, estate, **kwargs):
    data = {"estate": estate.code, "channel": "phone", "category": "repair", "summary": "门锁坏了"}
    data.update(kwargs)
    return api.post("/api/v1/visits/", data, format="json")


def test_handover_and_notice_lists_take_a_fixed_number_of_queries(estate, staff, unit):
    ResidentFactory(unit=unit)
    api = api_as(staff["frontdesk"])
    log(estate, staff["frontdesk"])
    handover_svc.handover_create(estate=estate, actor=staff["frontdesk"])
    phone_notice(estate, staff["frontdesk"])
    api.get("/api/v1/handovers/")  # warm up (the session, caches)
    handovers_one = count_queries(lambda: api.get("/api/v1/handovers/"))
    notices_one = count_queries(lambda: api.get("/api/v1/notices/"))
    for user in (staff["area_admin"], staff["supervisor"]):
        log(estate, user)
        log(estate, user)
        handover_svc.handover_create(estate=estate, actor=user)
        phone_notice(estate, user, title=f"通知 {user.username}")
    response = api.get("/api/v1/handovers/")
    assert len(response.json()["results"]) == 3
    assert count_queries(lambda: api.get("/api/v1/handovers/")) == handovers_one
    assert count_queries(lambda: api.get("/api/v1/notices/")) == notices_one
    completions = [n["completion"] for n in api.get("/api/v1/notices/").json()["results"]]
    assert completions == [{"households": 1, "reached": 0, "rate_percent": "0.0"}] * 3


def test_api_refuses_a_resident_who_moved_out(api, estate, unit):
    gone = ResidentFactory(unit=unit, moved_out_on=timezone.localdate() - dt.timedelta(days=1))
    response = api.post(
        "/api/v1/visits/",
        {
            "estate": estate.code,
            "channel": "phone",
            "category": "other",
            "summary": "问停水",
            "resident": gone.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "resident" in response.json()["error"]["fields"]
    assert not Visit.objects.exists()


def test_create_list_retrieve_and_resolve(api, estate, staff, resident):
    response = create_visit(
        api,
        estate,
        unit="3-2-1502",
        caller_phone=resident.phone,
        promised_answer_at=(timezone.now() + dt.timedelta(hours=1)).isoformat(),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == "frontdesk" and body["unit"] == "3-2-1502"
    assert body["number"].startswith("JD") and body["caller_phone"] == resident.phone
    listed = api.get("/api/v1/visits/", {"open": "true"}).json()["results"]
    assert [v["id"] for v in listed] == [body["id"]]
    detail = api.get(f"/api/v1/visits/{body['id']}/").json()
    assert [e["action"] for e in detail["events"]] == ["received"]
    resolved = api.post(
        f"/api/v1/visits/{body['id']}/resolve/", {"resolution": "已更换门锁"}, format="json"
    )
    assert resolved.json()["status"] == "resolved"
    closed = api.post(f"/api/v1/visits/{body['id']}/callback/", {"note": "满意"}, format="json")
    assert closed.json()["status"] == "closed"
    again = api.post(f"/api/v1/visits/{body['id']}/resolve/", {"resolution": "x"}, format="json")
    assert again.status_code == 200 and again.json()["status"] == "closed"


def test_callback_before_resolution_is_a_conflict(api, estate, staff):
    visit_id = create_visit(api, estate).json()["id"]
    response = api.post(f"/api/v1/visits/{visit_id}/callback/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_phones_are_masked_for_roles_that_do_not_need_them(api, estate, staff, resident):
    visit_id = create_visit(api, estate, resident=resident.pk).json()["id"]
    tech = api_as(staff["technician"]).get(f"/api/v1/visits/{visit_id}/").json()
    assert tech["caller_phone"] == "138****1502"


def test_another_estates_unit_is_refused(api, estate, other_unit):
    response = create_visit(api, estate, unit=other_unit.code)
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]
    assert create_visit(api, other_unit.estate).status_code == 400  # not my estate
    assert not Visit.objects.exists()


def test_convert_to_repair_and_complaint(api, estate, staff, resident, categories):
    visit_id = create_visit(api, estate, resident=resident.pk, summary="阳台漏水").json()["id"]
    response = api.post(
        f"/api/v1/visits/{visit_id}/to-repair/", {"category": "water"}, format="json"
    )
    assert response.status_code == 201
    repair = Repair.objects.get()
    assert response.json()["repair"] == repair.number and repair.description == "阳台漏水"
    complaint = api.post(f"/api/v1/visits/{visit_id}/to-complaint/", {}, format="json")
    assert complaint.status_code == 201 and complaint.json()["complaint"].startswith("TS")
    again = api.post(f"/api/v1/visits/{visit_id}/to-repair/", {"category": "water"}, format="json")
    assert again.json()["repair"] == repair.number and Repair.objects.count() == 1
    unknown = api.post(f"/api/v1/visits/{visit_id}/to-repair/", {"category": "x"}, format="json")
    assert unknown.status_code == 400


def test_handover_create_and_acknowledge(api, estate, staff):
    visit_id = create_visit(api, estate).json()["id"]
    response = api.post(
        "/api/v1/handovers/", {"estate": estate.code, "note": "交班"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert [i["visit"]["id"] for i in body["items"]] == [visit_id]
    own = api.post(f"/api/v1/handovers/{body['id']}/acknowledge/", format="json")
    assert own.status_code == 400  # the shift handing over does not acknowledge its own list
    night = make_staff("night", "frontdesk", estates=[estate])
    ack = api_as(night).post(f"/api/v1/handovers/{body['id']}/acknowledge/", format="json")
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "night"
    assert Visit.objects.get(pk=visit_id).owner == night


def test_notices_flow(api, estate, staff, unit, resident):
    today = timezone.localdate()
    response = api.post(
        "/api/v1/notices/",
        {
            "estate": estate.code,
            "kind": "posted",
            "title": "电梯维保",
            "body": "周三维保",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201
    notice_id = response.json()["id"]
    assert api.post(f"/api/v1/notices/{notice_id}/publish/").status_code == 409
    assert api.post(f"/api/v1/notices/{notice_id}/approve/").status_code == 403
    pm = api_as(staff["project_manager"])
    approved = pm.post(f"/api/v1/notices/{notice_id}/approve/").json()
    assert approved["number"] == f"TZ-{today.year}-001"
    assert api.post(f"/api/v1/notices/{notice_id}/publish/").json()["status"] == "published"

    phone = api.post(
        "/api/v1/notices/",
        {"estate": estate.code, "kind": "phone", "title": "停水", "body": "明日停水"},
        format="json",
    ).json()
    calls = api.get(f"/api/v1/notices/{phone['id']}/calls/").json()
    assert [c["unit"] for c in calls] == ["3-2-1502"]
    recorded = api.post(
        f"/api/v1/notices/{phone['id']}/record-call/",
        {"call": calls[0]["id"], "outcome": "reached"},
        format="json",
    )
    assert recorded.json()["outcome"] == "reached"
    completion = api.get(f"/api/v1/notices/{phone['id']}/").json()["completion"]
    assert completion == {"households": 1, "reached": 1, "rate_percent": "100.0"}


def test_other_estates_records_are_404(estate, other_estate, staff, outsider):
    UnitFactory(building__estate=other_estate)
    visit = reception.visit_create(
        estate=estate, actor=staff["frontdesk"], channel="phone", category="other", summary="x"
    )
    handover = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"])
    notice = notice_svc.notice_create(
        estate=estate, actor=staff["frontdesk"], kind="phone", title="t", body="b"
    )
    client = api_as(outsider)
    for url in (
        f"/api/v1/visits/{visit.pk}/",
        f"/api/v1/handovers/{handover.pk}/",
        f"/api/v1/notices/{notice.pk}/",
        f"/api/v1/notices/{notice.pk}/calls/",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/api/v1/visits/{visit.pk}/resolve/", {"resolution": "x"}),
        (f"/api/v1/visits/{visit.pk}/to-repair/", {"category": "water"}),
        (f"/api/v1/handovers/{handover.pk}/acknowledge/", {}),
        (f"/api/v1/notices/{notice.pk}/approve/", {}),
    ):
        response = client.post(url, data, format="json")
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/visits/").json()["results"] == []
    assert client.get("/api/v1/handovers/").json()["results"] == []
    visit.refresh_from_db()
    assert visit.status == "open"
    handover.refresh_from_db()
    assert handover.acknowledged_at is None
