"""/api/v1/keys/ and /api/v1/key-loans/: scoped, cursor-paginated, POST actions, 409s."""

from __future__ import annotations

import pytest

from keys.models import Key, KeyLoan
from tests.conftest import api_as
from tests.factories import EstateFactory, UnitFactory, make_staff
from tests.keys.helpers import make_key, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(estate, unit, staff):
    return make_key(estate, staff["frontdesk"], unit, slot="A-12")


def test_list_and_search_where_is_the_key(api, key, estate, staff):
    make_key(estate, staff["frontdesk"], None, area="配电房", slot="Z-1")
    body = api.get("/api/v1/keys/").json()
    assert {k["tag_code"] for k in body["results"]} == {"3-2-1502-K1", "C-001"}
    assert "next" in body and "count" not in body  # cursor pagination
    found = api.get("/api/v1/keys/", {"q": "3-2-1502"}).json()["results"]
    assert [(k["opens"], k["state"], k["slot"]) for k in found] == [
        ("3-2-1502", "in_cabinet", "A-12")
    ]


def test_cursor_pagination_walks_every_key(api, estate, staff):
    for i in range(5):
        make_key(estate, staff["frontdesk"], UnitFactory(building__estate=estate, code=f"8-1-{i}"))
    seen, url = [], "/api/v1/keys/?page_size=2"
    while url:
        body = api.get(url).json()
        seen += [k["id"] for k in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 5


def test_register_a_key(api, estate, unit):
    response = api.post(
        "/api/v1/keys/",
        {"estate": "CUIHU", "kind": "developer", "unit": "3-2-1502", "count": 2, "slot": "b-3"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["slot"] == "B-3" and response.json()["state"] == "in_cabinet"
    bad = api.post(
        "/api/v1/keys/",
        {"estate": "CUIHU", "kind": "developer", "unit": "3-2-1502", "count": 1, "slot": "B-3"},
        format="json",
    )
    assert bad.status_code == 400 and "slot" in bad.json()["error"]["fields"]


def test_lend_then_a_second_lend_is_a_409_naming_the_borrower(api, key, staff):
    response = api.post(
        f"/api/v1/keys/{key.pk}/lend/",
        {
            "borrower_staff": staff["technician"].pk,
            "phone": "13700000000",
            "count": 2,
            "reason": "查漏水",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    loan = response.json()
    assert loan["status"] == "out" and loan["borrower_name"] == "technician"
    again = api.post(
        "/api/v1/key-loans/",
        {
            "key": key.pk,
            "borrower_staff": staff["patrol"].pk,
            "phone": "13700000000",
            "count": 1,
            "reason": "x",
        },
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_on_loan"
    assert "technician" in again.json()["error"]["message"]
    assert api.get(f"/api/v1/keys/{key.pk}/").json()["open_loan"]["id"] == loan["id"]


def test_return_checks_the_count_and_a_second_return_answers_the_loan(api, key, staff):
    loan = api.post(
        f"/api/v1/keys/{key.pk}/lend/",
        {
            "borrower_staff": staff["technician"].pk,
            "phone": "13700000000",
            "count": 2,
            "reason": "x",
        },
        format="json",
    ).json()
    short = api.post(f"/api/v1/key-loans/{loan['id']}/return/", {"count": 1}, format="json")
    assert short.status_code == 400 and "count" in short.json()["error"]["fields"]
    assert KeyLoan.objects.get(pk=loan["id"]).status == "out"
    ok = api.post(f"/api/v1/key-loans/{loan['id']}/return/", {"count": 2}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "closed"
    again = api.post(f"/api/v1/key-loans/{loan['id']}/return/", {"count": 2}, format="json")
    # loan_return is idempotent: the repeat answers the closed loan and records nothing more
    assert again.status_code == 200 and again.json() == ok.json()
    events = api.get(f"/api/v1/keys/{key.pk}/events/").json()
    assert [e["kind"] for e in events] == ["registered", "lent", "returned"]


def test_contractor_loan_inspection_through_the_api(api, key, estate, staff):
    person = make_person(estate, staff["frontdesk"])
    loan = api.post(
        "/api/v1/key-loans/",
        {
            "key": key.pk,
            "borrower_person": person.pk,
            "phone": person.phone,
            "count": 2,
            "reason": "装修",
        },
        format="json",
    ).json()
    patrol = api_as(staff["patrol"])
    early = patrol.post(
        f"/api/v1/key-loans/{loan['id']}/inspect/",
        {"facilities_intact": True, "clean": True},
        format="json",
    )
    assert early.status_code == 409  # still out
    api.post(f"/api/v1/key-loans/{loan['id']}/return/", {"count": 2}, format="json")
    failed = patrol.post(
        f"/api/v1/key-loans/{loan['id']}/inspect/",
        {"facilities_intact": False, "clean": True, "rectification": "墙面划伤"},
        format="json",
    )
    assert failed.status_code == 200 and failed.json()["status"] == "rectifying"
    passed = patrol.post(
        f"/api/v1/key-loans/{loan['id']}/inspect/",
        {"facilities_intact": True, "clean": True},
        format="json",
    )
    assert passed.json()["status"] == "closed"
    events = api.get(f"/api/v1/keys/{key.pk}/events/").json()
    assert [e["kind"] for e in events] == [
        "registered",
        "lent",
        "returned",
        "inspected",
        "inspected",
        "loan_closed",
    ]
    assert api.get(f"/api/v1/keys/{key.pk}/ledger/").json() == {
        "consistent": True,
        "differences": [],
    }


def test_filters_open_and_overdue(api, key, staff):
    api.post(
        f"/api/v1/keys/{key.pk}/lend/",
        {
            "borrower_staff": staff["technician"].pk,
            "phone": "13700000000",
            "count": 1,
            "reason": "x",
            "due_at": "2020-01-02T10:00:00+08:00",
        },
        format="json",
    )
    # due before it was lent: refused, nothing created
    assert not KeyLoan.objects.exists()
    api.post(
        f"/api/v1/keys/{key.pk}/lend/",
        {
            "borrower_staff": staff["technician"].pk,
            "phone": "13700000000",
            "count": 1,
            "reason": "x",
        },
        format="json",
    )
    assert len(api.get("/api/v1/key-loans/", {"open": "true"}).json()["results"]) == 1
    assert api.get("/api/v1/key-loans/", {"overdue": "true"}).json()["results"] == []


def test_a_long_loan_needs_a_supervisor_approving_it_themselves(api, key, staff):
    body = {
        "borrower_staff": staff["technician"].pk,
        "phone": "13700000000",
        "count": 1,
        "reason": "x",
        "due_at": "2099-01-01T10:00:00+08:00",
        "approve": True,
    }
    refused = api.post(
        f"/api/v1/keys/{key.pk}/lend/", body, format="json"
    )  # front desk cannot approve
    assert refused.status_code == 400 and "due_at" in refused.json()["error"]["fields"]
    ok = api_as(staff["supervisor"]).post(f"/api/v1/keys/{key.pk}/lend/", body, format="json")
    assert ok.status_code == 201 and ok.json()["approved_by"] == staff["supervisor"].pk


def test_phones_are_masked_for_roles_that_do_not_call(api, key, staff):
    api.post(
        f"/api/v1/keys/{key.pk}/lend/",
        {
            "borrower_staff": staff["technician"].pk,
            "phone": "13712345678",
            "count": 1,
            "reason": "x",
        },
        format="json",
    )
    assert api.get("/api/v1/key-loans/").json()["results"][0]["borrower_phone"] == "13712345678"
    patrol = api_as(staff["patrol"]).get("/api/v1/key-loans/").json()["results"][0]
    assert patrol["borrower_phone"] == "137****5678"


def test_another_estates_key_is_a_404(key, other_estate, staff):
    stranger = api_as(make_staff("fd-other", "frontdesk", estates=[other_estate]))
    assert stranger.get(f"/api/v1/keys/{key.pk}/").status_code == 404
    assert (
        stranger.post(
            f"/api/v1/keys/{key.pk}/lend/",
            {
                "borrower_staff": staff["technician"].pk,
                "phone": "13700000000",
                "count": 1,
                "reason": "x",
            },
            format="json",
        ).status_code
        == 404
    )
    assert (
        stranger.post(
            "/api/v1/key-loans/",
            {
                "key": key.pk,
                "borrower_staff": staff["technician"].pk,
                "phone": "13700000000",
                "count": 1,
                "reason": "x",
            },
            format="json",
        ).status_code
        == 404
    )
    assert stranger.get("/api/v1/keys/").json()["results"] == []
    assert (
        stranger.post(
            "/api/v1/keys/",
            {"estate": "CUIHU", "kind": "common", "area": "x", "count": 1, "slot": "Q-1"},
            format="json",
        ).status_code
        == 400
    )
    assert Key.objects.count() == 1 and not KeyLoan.objects.exists()


def test_a_technician_has_no_cabinet_api(key, staff):
    assert api_as(staff["technician"]).get("/api/v1/keys/").status_code == 403


def test_the_api_schema_documents_the_key_endpoints(api):
    body = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/keys/{id}/lend/" in body["paths"]
    assert "/api/v1/key-loans/{id}/return/" in body["paths"]


def test_loan_filters_answer_another_estates_ids_like_unknown_ones(api, key, estate, staff):
    """Filtering by a key, staff member or person of another estate must not reveal that it
    exists: the answer is the same as for an id that does not exist at all."""
    other = EstateFactory(code="FAR", name="远方小区")
    far_desk = make_staff("fd-far", "frontdesk", estates=[other])
    far_key = make_key(other, far_desk, UnitFactory(building__estate=other, code="9-9-909"))
    far_person = make_person(other, far_desk, name="远方人")
    api.post(
        f"/api/v1/keys/{key.pk}/lend/",
        {
            "borrower_staff": staff["technician"].pk,
            "phone": "13700000000",
            "count": 1,
            "reason": "x",
        },
        format="json",
    )
    for name, foreign in (
        ("key", far_key.pk),
        ("borrower_staff", far_desk.pk),
        ("borrower_person", far_person.pk),
    ):
        seen = api.get("/api/v1/key-loans/", {name: foreign})
        unknown = api.get("/api/v1/key-loans/", {name: 987654})
        assert (seen.status_code, seen.json()) == (unknown.status_code, unknown.json()), name
        assert seen.status_code == 200 and seen.json()["results"] == [], name
    mine = api.get("/api/v1/key-loans/", {"key": key.pk}).json()["results"]
    assert len(mine) == 1


def test_lending_to_another_estates_people_reads_like_an_unknown_id(api, key, staff):
    other = EstateFactory(code="FAR", name="远方小区")
    far_desk = make_staff("fd-far", "frontdesk", estates=[other])
    far_person = make_person(other, far_desk, name="远方人")
    base = {"phone": "13700000000", "count": 1, "reason": "x"}
    for field, foreign in (("borrower_staff", far_desk.pk), ("borrower_person", far_person.pk)):
        seen = api.post(f"/api/v1/keys/{key.pk}/lend/", {**base, field: foreign}, format="json")
        unknown = api.post(f"/api/v1/keys/{key.pk}/lend/", {**base, field: 987654}, format="json")
        assert seen.status_code == unknown.status_code == 400, field
        assert seen.json() == unknown.json(), field
        assert list(seen.json()["error"]["fields"]) == [field]
    assert not KeyLoan.objects.exists()


def test_api_errors_are_translated(api, estate, unit):
    bad = api.post(
        "/api/v1/keys/",
        {"estate": "CUIHU", "kind": "developer", "unit": "9-9-999", "count": 1, "slot": "B-3"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["unit"] == ["本小区没有房号 9-9-999。"]
