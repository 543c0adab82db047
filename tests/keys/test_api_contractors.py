"""/api/v1/contractors/ (issue 12, "The API a client can discover"): the ids a loan's
`borrower_person` takes, estate-scoped, phones masked per role; the schema names where the ids
of a loan request come from."""

from __future__ import annotations

import pytest

from tests.conftest import api_as
from tests.factories import make_staff
from tests.keys.helpers import make_key, make_person

pytestmark = pytest.mark.django_db


def test_contractors_with_their_people_scoped_and_masked(estate, other_estate, staff):
    person = make_person(estate, staff["frontdesk"], phone="13912345678")
    stranger_desk = make_staff("fd-other", "frontdesk", estates=[other_estate])
    make_person(other_estate, stranger_desk, company="别家装饰")

    desk = api_as(staff["frontdesk"]).get("/api/v1/contractors/")
    assert desk.status_code == 200
    [row] = desk.json()["results"]
    assert row["name"] == "安居装饰" and row["estate"] == "CUIHU"
    assert row["people"] == [
        {
            "id": person.pk,
            "name": "黄建国",
            "phone": "13912345678",
            "id_last4": "321X",
            "active": True,
        }
    ]
    patrol = api_as(staff["patrol"]).get("/api/v1/contractors/").json()["results"][0]
    assert patrol["people"][0]["phone"] == "139****5678" and patrol["people"][0]["id_last4"] == ""
    assert api_as(staff["technician"]).get("/api/v1/contractors/").status_code == 403
    other = api_as(stranger_desk)
    assert [r["name"] for r in other.get("/api/v1/contractors/").json()["results"]] == ["别家装饰"]
    assert other.get(f"/api/v1/contractors/{row['id']}/").status_code == 404


def test_the_lend_person_id_works_for_a_loan(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    make_person(estate, staff["frontdesk"])
    api = api_as(staff["frontdesk"])
    person_id = api.get("/api/v1/contractors/").json()["results"][0]["people"][0]["id"]
    response = api.post(
        "/api/v1/key-loans/",
        {
            "key": key.pk,
            "borrower_person": person_id,
            "phone": "13912345678",
            "count": 2,
            "reason": "装修",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["borrower_person"] == person_id


def test_schema_lists_contractors_and_names_where_ids_come_from(staff):
    schema = api_as(staff["frontdesk"]).get("/api/schema/?format=json")
    assert schema.status_code == 200
    doc = schema.json()
    assert "/api/v1/contractors/" in doc["paths"]
    schemas = doc["components"]["schemas"]
    props = next(c for name, c in schemas.items() if name.startswith("LoanCreate"))["properties"]
    assert "/api/v1/contractors/" in props["borrower_person"]["description"]
    assert "/api/v1/keys/" in props["key"]["description"]
    loan = schemas["KeyLoan"]["properties"]
    for field in ("status", "borrower_kind", "close_reason"):
        spec = loan[field]
        ref = spec.get("$ref") or next(
            (
                part["$ref"]
                for part in spec.get("allOf", []) + spec.get("oneOf", [])
                if "$ref" in part
            ),
            "",
        )
        enum = schemas[ref.rsplit("/", 1)[-1]]["enum"] if ref else spec.get("enum")
        assert enum, field
