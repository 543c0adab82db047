import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import api_as
from tests.factories import UnitFactory, make_staff
from tickets.models import Repair
from tickets.serializers import repairs as s


def create(api, **extra):
    payload = {
        "unit": "3-2-1502",
        "category": "water",
        "description": "厨房水管爆裂",
        "channel": "phone",
        "reporter_name": "王先生",
        "reporter_phone": "13800138000",
        **extra,
    }
    return api.post("/api/v1/repairs/", payload, format="json")


def test_create_list_retrieve_with_deadlines(api, unit, categories):
    response = create(api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["urgent"] is True
    kinds = {d["kind"]: d for d in body["deadlines"]}
    assert set(kinds) == {"repair.arrival", "repair.completion"}
    assert {"due_at", "met_at", "breached_at"} <= set(kinds["repair.arrival"])
    listing = api.get("/api/v1/repairs/").json()
    assert [r["id"] for r in listing["results"]] == [body["id"]]
    assert "count" not in listing and "next" in listing
    detail = api.get(f"/api/v1/repairs/{body['id']}/").json()
    assert detail["events"][0]["action"] == "created"


def test_actions_walk_and_invalid_transition_is_409(api, unit, categories, staff):
    rid = create(api).json()["id"]
    assert (
        api.post(
            f"/api/v1/repairs/{rid}/complete/", {"labour_minutes": 5, "signed_by": "王"}
        ).status_code
        == 409
    )
    response = api.post(f"/api/v1/repairs/{rid}/dispatch/", {"technician": "technician"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispatched"
    tech = api_as(staff["technician"])
    assert tech.post(f"/api/v1/repairs/{rid}/arrive/").json()["status"] == "on_site"
    assert tech.post(f"/api/v1/repairs/{rid}/start/").json()["status"] == "in_progress"
    body = tech.post(
        f"/api/v1/repairs/{rid}/complete/", {"labour_minutes": 30, "signed_by": "王先生"}
    ).json()
    assert body["status"] == "completed"
    assert any(d["kind"] == "repair.callback" and d["met_at"] is None for d in body["deadlines"])
    error = api.post(f"/api/v1/repairs/{rid}/arrive/").json()["error"]
    assert error["code"] == "invalid_transition" and error["message"]


def test_bad_input_is_400_with_field_errors_and_nothing_saved(api, unit, categories):
    response = create(api, unit="9-9-9999")
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]
    response = create(api, category="nope")
    assert "category" in response.json()["error"]["fields"]
    response = create(api, received_at=(timezone.now() + dt.timedelta(hours=2)).isoformat())
    assert "received_at" in response.json()["error"]["fields"]
    assert not Repair.objects.exists()


def test_another_estates_repair_is_404_and_unit_refused(api, unit, categories, other_estate):
    UnitFactory(building__estate=other_estate, code="1-1-101")
    assert create(api, unit="1-1-101").status_code == 400
    rid = create(api).json()["id"]
    stranger = make_staff("stranger", "frontdesk", estates=[other_estate])
    assert api_as(stranger).get(f"/api/v1/repairs/{rid}/").status_code == 404
    assert (
        api_as(stranger).post(f"/api/v1/repairs/{rid}/cancel/", {"reason": "x"}).status_code == 404
    )
    assert api_as(stranger).get("/api/v1/repairs/").json()["results"] == []


def test_filters(api, unit, categories):
    water = create(api).json()["id"]
    drain = create(api, category="drainage").json()["id"]
    ids = lambda q: [r["id"] for r in api.get(f"/api/v1/repairs/?{q}").json()["results"]]  # noqa: E731
    assert ids("urgent=true") == [water]
    assert ids("category=drainage") == [drain]
    assert set(ids("unit=3-2-1502")) == {water, drain}
    assert set(ids("building=3&status=received")) == {water, drain}
    assert ids("overdue=true") == []
    assert ids("status=closed") == []


def test_technician_sees_masked_phone(api, unit, categories, staff):
    rid = create(api).json()["id"]
    assert api.get(f"/api/v1/repairs/{rid}/").json()["reporter_phone"] == "13800138000"
    assert (
        api_as(staff["technician"]).get(f"/api/v1/repairs/{rid}/").json()["reporter_phone"]
        == "138****8000"
    )


def test_patrol_guard_gets_403_for_dispatch(api, unit, categories, staff):
    rid = create(api).json()["id"]
    response = api_as(staff["patrol"]).post(
        f"/api/v1/repairs/{rid}/dispatch/", {"technician": "technician"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"]


def _walked_repair(api, staff):
    """A repair with a technician, a fee and met, open and breached deadlines."""
    rid = create(api, received_at=(timezone.now() - dt.timedelta(minutes=40)).isoformat()).json()[
        "id"
    ]
    api.post(f"/api/v1/repairs/{rid}/dispatch/", {"technician": "technician"})
    tech = api_as(staff["technician"])
    tech.post(f"/api/v1/repairs/{rid}/arrive/")
    tech.post(f"/api/v1/repairs/{rid}/start/")
    response = tech.post(
        f"/api/v1/repairs/{rid}/complete/",
        {"labour_minutes": 30, "signed_by": "王先生"},
    )
    assert response.status_code == 200, response.content
    Repair.objects.filter(pk=rid).update(fee=Decimal("35.50"))  # rendering only: no quote flow
    return Repair.objects.get(pk=rid)


@pytest.mark.parametrize("role", ["frontdesk", "technician"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_fast_representation_is_exactly_the_serializers(api, unit, categories, staff, role, zone):
    """The API builds RepairSerializer's output from .values() rows; the two must never drift."""
    repair = _walked_repair(api, staff)
    user = staff[role]
    request = RequestFactory().get("/")
    request.user = user
    now = timezone.now()
    with timezone.override(zone):
        expected = dict(s.RepairSerializer(repair, context={"request": request}).data)
        rows = list(s.repair_rows(Repair.objects.filter(pk=repair.pk)))
        [fast] = s.represent_repairs(rows, user, now=now)
    expected_deadlines = expected.pop("deadlines")
    fast_deadlines = fast.pop("deadlines")
    assert fast == expected
    assert fast["fee"] == "35.50" and fast["technician"] == "technician"
    assert fast_deadlines == sorted(expected_deadlines, key=lambda d: d["started_at"])
    assert {d["state"] for d in fast_deadlines} >= {"met-late", "green"}


def test_list_costs_the_same_queries_whatever_the_page_size(api, unit, categories):
    for i in range(6):
        assert create(api, description=f"漏水 {i}").status_code == 201
    counts = {}
    for size in (1, 6):
        with CaptureQueriesContext(connection) as captured:
            response = api.get(f"/api/v1/repairs/?page_size={size}&status=received")
        assert len(response.json()["results"]) == size
        sql = " ".join(q["sql"] for q in captured.captured_queries)
        assert "COUNT(" not in sql and "OFFSET" not in sql
        counts[size] = len(captured.captured_queries)
    assert counts[1] == counts[6]


def test_create_answers_what_a_read_gives(api, unit, categories):
    """The create response is built from the repair in memory, not re-read: it must match."""
    received = (timezone.now() - dt.timedelta(minutes=3)).isoformat()
    created = create(api, received_at=received, preferred_visit_at=None).json()
    detail = api.get(f"/api/v1/repairs/{created['id']}/").json()
    detail.pop("events")
    assert created == detail


def test_create_with_two_estates_needs_the_estate_code(api, unit, categories, other_estate, staff):
    staff["frontdesk"].staff.estates.add(other_estate)
    response = create(api)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"estate"}
    assert create(api, estate="NOPE").json()["error"]["fields"].keys() == {"estate"}
    assert create(api, estate=unit.estate.code).status_code == 201
    assert create(api, estate=unit.estate.code, category="nope").json()["error"][
        "fields"
    ].keys() == {"category"}


def test_token_request_reads_roles_and_estates_with_the_token(unit, categories, staff):
    """A list with a real token: token + user + roles + estate ids in one query, then the page
    and its deadlines — three in all — and only the user's estates."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff['frontdesk'])}")
    assert create(client).status_code == 201
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/repairs/")
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    assert len(captured.captured_queries) == 3
    assert response.json()["results"][0]["reporter_phone"] == "13800138000"  # a desk role: whole
    tech = APIClient()
    tech.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff['technician'])}")
    assert tech.get("/api/v1/repairs/").json()["results"][0]["reporter_phone"] != "13800138000"
    assert APIClient().get("/api/v1/repairs/", HTTP_AUTHORIZATION="Token nope").status_code == 401
    staff["technician"].is_active = False
    staff["technician"].save()
    assert tech.get("/api/v1/repairs/").status_code == 401


def test_quote_from_the_price_list_and_consent_through_the_api(api, unit, categories, staff):
    """Paid work from a client (issue 12): price-list ids from GET /api/v1/price-list/."""
    repair_id = create(api, reporter_phone="13912342929").json()["id"]
    api.post(f"/api/v1/repairs/{repair_id}/dispatch/", {"technician": "technician"}, format="json")
    tech = api_as(staff["technician"])
    # The technician sees the whole number of the resident of their own job, list and detail.
    assert tech.get(f"/api/v1/repairs/{repair_id}/").json()["reporter_phone"] == "13912342929"
    listed = {r["id"]: r for r in tech.get("/api/v1/repairs/").json()["results"]}
    assert listed[repair_id]["reporter_phone"] == "13912342929"
    assert api_as(staff["quality"]).get(f"/api/v1/repairs/{repair_id}/").json()[
        "reporter_phone"
    ] == ("139****2929")
    tech.post(f"/api/v1/repairs/{repair_id}/arrive/")
    item = tech.get("/api/v1/price-list/").json()[0]
    quoted = tech.post(
        f"/api/v1/repairs/{repair_id}/quote/",
        {"lines": [{"price_item": item["id"], "quantity": "2"}]},
        format="json",
    )
    assert quoted.status_code == 200, quoted.content
    assert Decimal(quoted.json()["quoted_amount"]) == Decimal(item["price"]) * 2
    assert tech.post(f"/api/v1/repairs/{repair_id}/start/").status_code == 409  # no consent yet
    agreed = tech.post(
        f"/api/v1/repairs/{repair_id}/consent/", {"resident_name": "王先生"}, format="json"
    )
    assert agreed.status_code == 200
    assert tech.post(f"/api/v1/repairs/{repair_id}/start/").status_code == 200
    empty = tech.post(f"/api/v1/repairs/{repair_id}/quote/", {"lines": []}, format="json")
    assert empty.status_code in (400, 409)
