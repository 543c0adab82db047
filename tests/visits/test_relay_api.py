"""The relay, patrol and title-certificate API (DRF, estate-scoped) and the estate wall of their
pages: another estate's user gets 404 and changes nothing."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from propserv.roles import Role
from tests.factories import ResidentFactory, make_staff
from tests.visits.helpers import client_for
from visits.models import CommonPatrol, PatrolPlace, RelayItem, TitleCertificate
from visits.services import patrols, relay, titles

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")
    return client


@pytest.fixture
def head(estate, staff):
    relay.department_head_set(
        estate=estate, department="engineering", head=staff["technician"], actor=staff["supervisor"]
    )
    return staff["technician"]


def test_relay_through_the_api(estate, staff, unit, head):
    desk = api_for(staff["frontdesk"])
    body = {
        "estate": estate.code,
        "summary": "5栋电梯异响",
        "department": "engineering",
        "reporter": "resident",
        "caller_name": "刘女士",
        "unit": unit.code,
    }
    created = desk.post("/api/v1/relay-items/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert created.status_code == 201, created.content
    again = desk.post("/api/v1/relay-items/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    pk = created.json()["id"]
    assert created.json()["head"] == head.username and created.json()["status"] == "routed"
    done = api_for(head).post(f"/api/v1/relay-items/{pk}/done/", {"note": "已调整"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    checked = desk.post(f"/api/v1/relay-items/{pk}/check/", {"passed": True}, format="json")
    assert checked.json()["status"] == "checked" and checked.json()["visit_status"] == "resolved"
    called = desk.post(f"/api/v1/relay-items/{pk}/callback/", {"note": "满意"}, format="json")
    assert called.json()["visit_status"] == "closed"
    # bad input: a translated error body, nothing written
    bad = desk.post("/api/v1/relay-items/", {**body, "unit": "9-9-999"}, format="json")
    assert bad.status_code == 400 and "本小区" in str(bad.json()["error"]), bad.json()
    assert RelayItem.objects.count() == 1


def test_patrol_round_and_title_stage_through_the_api(estate, staff, unit, categories):
    place = patrols.patrol_place_add(estate=estate, actor=staff["supervisor"], name="中心花园")
    admin = api_for(staff["area_admin"])
    slot = "am" if timezone.localtime().hour < 12 else "pm"
    round_ = {"estate": estate.code, "slot": slot, "checks": [{"place": place.pk, "result": "ok"}]}
    bad = admin.post("/api/v1/common-patrols/", {**round_, "checks": []}, format="json")
    assert bad.status_code == 400 and "中心花园" in str(bad.json()["error"])
    assert CommonPatrol.objects.filter(done_at__isnull=False).count() == 0
    ok = admin.post("/api/v1/common-patrols/", round_, format="json")
    assert ok.status_code == 201 and ok.json()["results"] == {str(place.pk): "ok"}
    owner = ResidentFactory(unit=unit, name="王先生")
    rows = f"房号,姓名\n{unit.code},{owner.name}\n".encode()
    titles.titles_import(
        estate=estate, actor=staff["frontdesk"], file=io.BytesIO(rows), filename="l.csv"
    )
    cert = TitleCertificate.objects.get()
    desk = api_for(staff["frontdesk"])
    today = timezone.localdate().isoformat()
    skipped = desk.post(
        f"/api/v1/title-certificates/{cert.pk}/advance/",
        {"stage": "issued", "on": today},
        format="json",
    )
    assert skipped.status_code == 409
    moved = desk.post(
        f"/api/v1/title-certificates/{cert.pk}/advance/",
        {"stage": "collected", "on": today},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "collected"


def test_another_estates_user_gets_404_and_changes_nothing(estate, other_estate, staff, unit, head):
    item = relay.relay_report(
        estate=estate,
        actor=staff["frontdesk"],
        summary="灯不亮",
        department="engineering",
        reporter="staff",
        location="1栋大堂",
    )
    place = patrols.patrol_place_add(estate=estate, actor=staff["supervisor"], name="1栋大堂")
    stranger = make_staff("stranger", *[r.value for r in Role], estates=[other_estate])
    web = client_for(stranger)
    for url in (item.get_absolute_url(), f"/visits/relay/{item.pk}/done/"):
        assert web.get(url).status_code in (404, 405)
    assert web.post(f"/visits/relay/{item.pk}/done/", {"note": "x"}).status_code == 404
    assert web.post(f"/visits/patrols/places/{place.pk}/retire/").status_code == 404
    api = api_for(stranger)
    assert api.get(f"/api/v1/relay-items/{item.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/relay-items/{item.pk}/done/", {"note": "x"}, format="json").status_code
        == 404
    )
    item.refresh_from_db()
    assert item.status == "routed" and PatrolPlace.objects.get().active
