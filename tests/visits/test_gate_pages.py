"""The gate's pages and API: a visitor admitted only with the host's agreement (the page keeps
the input and says why), a visitor for another estate's unit refused, the lobby's directory
search (an unknown company: not found), parcels through the API, the XLSX of the day."""

import io

import pytest
from openpyxl import load_workbook

from propserv.models import Estate
from tests.conftest import api_as
from tests.factories import UnitFactory
from tests.visits.helpers import client_for
from visits.models import GateVisitor, Parcel
from visits.services import gate

pytestmark = pytest.mark.django_db


def test_gate_page_admits_only_with_the_hosts_agreement(estate, staff, unit):
    client = client_for(staff["patrol"])
    url = f"/visits/gate/?estate={estate.code}"
    body = {"name": "访客甲", "people": 1, "unit": unit.code, "host_name": "王先生"}
    refused = client.post(url, body)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "访客甲" in html and "不得进入" in html
    assert not GateVisitor.objects.exists()
    admitted = client.post(url, {**body, "host_agreed": "on"})
    assert admitted.status_code == 302
    visitor = GateVisitor.objects.get()
    assert visitor.unit == unit and visitor.recorded_by == staff["patrol"]
    page = client.get(url).content.decode()
    assert f'data-testid="visitor-{visitor.pk}"' in page
    client.post(f"/visits/gate/{visitor.pk}/leave/")
    visitor.refresh_from_db()
    assert visitor.left_at is not None
    xlsx = client.get(url + "&format=xlsx")
    values = [
        c.value for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row
    ]
    assert "访客甲" in values


def test_api_visitor_consent_and_other_estate(estate, other_estate, staff, unit):
    UnitFactory(building__estate=other_estate, code="8-8-808")
    client = api_as(staff["patrol"])
    body = {"estate": estate.code, "name": "访客乙", "unit": unit.code, "host_name": "王先生"}
    no = client.post("/api/v1/gate-visitors/", {**body, "host_agreed": False}, format="json")
    assert no.status_code == 400 and "host_agreed" in no.json()["error"]["fields"]
    other = client.post(
        "/api/v1/gate-visitors/", {**body, "unit": "8-8-808", "host_agreed": True}, format="json"
    )
    assert other.status_code == 400
    foreign = client.post(
        "/api/v1/gate-visitors/",
        {**body, "estate": other_estate.code, "unit": "8-8-808", "host_agreed": True},
        format="json",
    )
    assert foreign.status_code == 400
    assert not GateVisitor.objects.exists()
    ok = client.post("/api/v1/gate-visitors/", {**body, "host_agreed": True}, format="json")
    assert ok.status_code == 201 and ok.json()["unit"] == unit.code
    left = client.post(f"/api/v1/gate-visitors/{ok.json()['id']}/leave/", format="json")
    assert left.status_code == 200 and left.json()["left_at"]


def test_lobby_directory_search(estate, staff, unit):
    estate.kind = Estate.Kind.COMMERCIAL
    estate.save(update_fields=["kind"])
    client = client_for(staff["frontdesk"])
    client.post(
        f"/visits/directory/?estate={estate.code}",
        {"company": "翠湖科技有限公司", "floor": 15, "unit": unit.code},
    )
    found = client.get(
        "/visits/directory/", {"estate": estate.code, "q": "翠湖科技"}
    ).content.decode()
    assert 'data-testid="found"' in found and "3-2-1502" in found
    missing = client.get(
        "/visits/directory/", {"estate": estate.code, "q": "无名公司"}
    ).content.decode()
    assert 'data-testid="not-found"' in missing
    hits = client.get("/visits/lookup/", {"q": "翠湖科技"}).content.decode()
    assert "翠湖科技有限公司" in hits
    for q, count in (("无名", 0), ("翠湖", 1)):
        data = api_as(staff["frontdesk"]).get("/api/v1/office-tenants/", {"q": q}).json()
        assert len(data["results"] if isinstance(data, dict) else data) == count


def test_parcels_through_the_api_and_page(estate, staff, unit):
    client = api_as(staff["frontdesk"])
    logged = client.post(
        "/api/v1/parcels/",
        {
            "estate": estate.code,
            "kind": "parcel",
            "description": "顺丰包裹",
            "for_name": "王先生",
            "unit": unit.code,
            "left_by": "顺丰快递员",
        },
        format="json",
    )
    assert logged.status_code == 201
    pk = logged.json()["id"]
    assert (
        client.post(f"/api/v1/parcels/{pk}/forward/", {"to": "管家"}, format="json").status_code
        == 200
    )
    page = (
        client_for(staff["frontdesk"])
        .get(f"/visits/parcels/?estate={estate.code}")
        .content.decode()
    )
    assert f'data-testid="parcel-{pk}"' in page
    client_for(staff["frontdesk"]).post(
        f"/visits/parcels/{pk}/collect/", {"collected_by": "王先生"}
    )
    assert Parcel.objects.get(pk=pk).status == Parcel.Status.COLLECTED
    assert gate.parcel_allowed_actions(Parcel.objects.get(pk=pk), staff["frontdesk"]) == set()
