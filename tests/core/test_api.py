"""The core API: estate scoping (a stranger's object is a 404), phone masking, token login,
OpenAPI schema and docs without a CDN, cursor pagination, error bodies."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from propserv.models import Notification
from propserv.notifications import notify
from propserv.phones import mask_phone
from tests.conftest import PASSWORD, api_as
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, make_staff


@pytest.fixture
def theirs(other_estate):
    """One of everything in the other estate."""
    building = BuildingFactory(estate=other_estate, code="9")
    unit = UnitFactory(building=building, code="9-1-0101")
    resident = ResidentFactory(unit=unit, phone="13912345678")
    return {"estate": other_estate, "building": building, "unit": unit, "resident": resident}


@pytest.fixture
def ours(unit):
    resident = ResidentFactory(unit=unit, name="王伟", phone="13800138000")
    return {"estate": unit.estate, "building": unit.building, "unit": unit, "resident": resident}


ENDPOINTS = {
    "estate": "/api/v1/estates/",
    "building": "/api/v1/buildings/",
    "unit": "/api/v1/units/",
    "resident": "/api/v1/residents/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(ENDPOINTS))
def test_another_estates_object_is_a_404(api, ours, theirs, kind):
    response = api.get(f"{ENDPOINTS[kind]}{theirs[kind].pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # …while our own is there.
    assert api.get(f"{ENDPOINTS[kind]}{ours[kind].pk}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(ENDPOINTS))
def test_lists_hold_only_my_estate(api, ours, theirs, kind):
    results = api.get(ENDPOINTS[kind]).json()["results"]
    assert [r["id"] for r in results] == [ours[kind].pk]


@pytest.mark.django_db
def test_filters_cannot_reach_another_estate(api, ours, theirs):
    assert api.get("/api/v1/units/", {"code": "9-1-0101"}).json()["results"] == []
    assert api.get("/api/v1/units/", {"estate": "OTHER"}).json()["results"] == []
    found = api.get("/api/v1/units/", {"code": "3-2-1502"}).json()["results"]
    assert [u["code"] for u in found] == ["3-2-1502"]
    assert found[0]["estate"] == "CUIHU" and found[0]["building"] == "3"


@pytest.mark.django_db
def test_staff_of_two_estates_and_superusers_see_both(ours, theirs, admin_user):
    both = make_staff("both", "supervisor", estates=[ours["estate"], theirs["estate"]])
    for user in (both, admin_user):
        codes = {u["code"] for u in api_as(user).get("/api/v1/units/").json()["results"]}
        assert codes == {"3-2-1502", "9-1-0101"}, user


@pytest.mark.django_db
def test_staff_without_estates_see_nothing(ours):
    nobody = make_staff("nobody", "frontdesk")
    assert api_as(nobody).get("/api/v1/residents/").json()["results"] == []
    assert api_as(nobody).get(f"/api/v1/estates/{ours['estate'].pk}/").status_code == 404


@pytest.mark.django_db
def test_phones_masked_for_technician_whole_for_front_desk(staff, ours):
    url = f"/api/v1/residents/{ours['resident'].pk}/"
    assert api_as(staff["frontdesk"]).get(url).json()["phone"] == "13800138000"
    assert api_as(staff["technician"]).get(url).json()["phone"] == "138****8000"
    assert api_as(staff["patrol"]).get("/api/v1/residents/").json()["results"][0]["phone"] == (
        "138****8000"
    )
    assert mask_phone("0755-86001234") == "075****1234"


@pytest.mark.django_db
def test_token_login(staff, ours):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "frontdesk", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/v1/units/").status_code in (401, 403)  # not logged in yet
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/units/")
    assert response.status_code == 200
    assert [u["code"] for u in response.json()["results"]] == ["3-2-1502"]
    # The same token comes back on a second login.
    again = APIClient().post(
        "/api/v1/auth/token/", {"username": "frontdesk", "password": PASSWORD}, format="json"
    )
    assert again.json()["token"] == token


@pytest.mark.django_db
def test_token_login_with_a_wrong_password(staff):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "frontdesk", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert "token" not in response.json()
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = bad.get("/api/v1/units/")
    # 403, not 401: SessionAuthentication is listed first, and it sends no WWW-Authenticate.
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_schema_lists_the_core_resources(client, staff):
    client.force_login(staff["frontdesk"])  # staff only (tests/core/test_security_deploy.py)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/units/",
        "/api/v1/residents/",
        "/api/v1/calendar/",
        "/api/v1/auth/token/",
    ):
        assert f"{path}:" in schema, path


@pytest.mark.django_db
def test_docs_use_the_bundled_sidecar_assets_not_a_cdn(client, staff):
    client.force_login(staff["frontdesk"])  # staff only (tests/core/test_security_deploy.py)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)", page.split("<body")[0])
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:  # served by us, from the wheel
        assert client.get(asset).status_code == 200, asset


@pytest.mark.django_db
def test_cursor_pagination(api, estate):
    for n in range(5):
        UnitFactory(building__estate=estate, code=f"1-1-{n:04d}")
    first = api.get("/api/v1/units/", {"page_size": 2}).json()
    assert set(first) == {"next", "previous", "results"}  # no count
    assert first["previous"] is None and "cursor=" in first["next"]
    seen = [u["code"] for u in first["results"]]
    page = first
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [u["code"] for u in page["results"]]
    assert sorted(seen) == [f"1-1-{n:04d}" for n in range(5)]
    assert len(seen) == len(set(seen))
    assert page["previous"] is not None


@pytest.mark.django_db
def test_error_bodies(api, ours):
    response = api.post("/api/v1/units/", {"code": "x"}, format="json")
    assert response.status_code == 405
    assert set(response.json()) == {"error"}
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert response.json()["error"]["code"] == "method_not_allowed"
    response = APIClient().get("/api/v1/estates/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    response = api.get("/api/v1/units/", {"cursor": "garbage"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- what a client needs to discover: colleagues, its own notifications, itself ---------------


@pytest.mark.django_db
def test_staff_list_is_scoped_and_filtered_by_role(staff, estate, other_estate):
    elsewhere = make_staff("tech-elsewhere", "technician", estates=[other_estate])
    client = api_as(staff["frontdesk"])
    body = client.get("/api/v1/staff/", {"role": "technician"}).json()
    assert [row["username"] for row in body["results"]] == ["technician"]
    assert body["results"][0]["roles"] == ["technician"] and body["results"][0]["estates"] == [
        "CUIHU"
    ]
    every = {row["username"] for row in client.get("/api/v1/staff/").json()["results"]}
    assert elsewhere.username not in every and set(staff) <= every
    assert client.get(f"/api/v1/staff/{elsewhere.pk}/").status_code == 404


@pytest.mark.django_db
def test_staff_phones_are_masked_for_roles_that_do_not_call(staff):
    profile = staff["supervisor"].staff
    profile.phone = "13800138000"
    profile.save()
    url = f"/api/v1/staff/{staff['supervisor'].pk}/"
    assert api_as(staff["frontdesk"]).get(url).json()["phone"] == "13800138000"
    assert api_as(staff["technician"]).get(url).json()["phone"] == "138****8000"


@pytest.mark.django_db
def test_notifications_are_my_own_and_can_be_marked_read(staff):
    mine = notify([staff["frontdesk"]], title="新的报修")[0]
    notify([staff["frontdesk"]], title="钥匙逾期")
    theirs = notify([staff["gm"]], title="重大投诉")[0]
    client = api_as(staff["frontdesk"])
    titles = [n["title"] for n in client.get("/api/v1/notifications/").json()["results"]]
    assert sorted(titles) == ["新的报修", "钥匙逾期"]
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    read = client.post(f"/api/v1/notifications/{mine.pk}/read/").json()
    assert read["read_at"] is not None
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [n["title"] for n in unread] == ["钥匙逾期"]
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
def test_me_tells_roles_and_estates(staff, estate):
    body = api_as(staff["area_admin"]).get("/api/v1/me/").json()
    assert body["username"] == "area_admin"
    assert body["roles"] == ["area_admin"] and body["estates"] == ["CUIHU"]
    assert body["unread_notifications"] == 0
    assert APIClient().get("/api/v1/me/").status_code in {401, 403}
