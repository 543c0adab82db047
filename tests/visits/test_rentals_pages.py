"""The desk's rental and move-out pages and their API: registering a unit to let, the seeker's
candidates, the lease filed through the API (refused in Chinese for an unregistered unit), the
XLSX for the meeting, the move-out refused with a balance, and the unit's story on the lookup."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from fees.models import ChargeItem
from fees.services.charges import charge_add
from propserv.models import Resident
from propserv.roles import Role
from tests.conftest import api_as
from tests.factories import ResidentFactory, make_staff
from tests.visits.helpers import client_for
from visits.models import Lease, MoveOut, RentalListing
from visits.services import gate, moveout, rentals

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(unit):
    return ResidentFactory(unit=unit, name="李业主", phone="13900001502")


def test_register_a_unit_to_let_on_the_page_and_download_the_list(estate, staff, unit, owner):
    client = client_for(staff["frontdesk"])
    page = client.get("/visits/rentals/")
    assert page.status_code == 200 and "房屋租赁" in page.content.decode()
    response = client.post(
        f"/visits/rentals/?estate={estate.code}",
        {
            "form": "listing",
            "unit": "3-2-1502",
            "asking_rent": "3000",
            "available_from": "2026-12-01",
            "contact_consent": "on",
        },
    )
    listing = RentalListing.objects.get()
    assert response.status_code == 302 and response["Location"] == listing.get_absolute_url()
    assert listing.owner == owner and listing.contact_consent
    detail = client.get(listing.get_absolute_url()).content.decode()
    assert "13900001502" in detail  # consent given: the desk sees the owner's number
    xlsx = client.get(f"/visits/rentals/?estate={estate.code}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert "3-2-1502" in [c.value for row in sheet.iter_rows() for c in row]
    printed = client.get(f"/visits/rentals/?estate={estate.code}&format=print")
    assert printed.status_code == 200 and "3-2-1502" in printed.content.decode()
    pdf = client.get(f"/visits/rentals/?estate={estate.code}&format=pdf")
    assert pdf.content.startswith(b"%PDF")


def test_unknown_unit_on_the_listing_form_is_refused_in_chinese(estate, staff, unit, owner):
    client = client_for(staff["frontdesk"])
    response = client.post(
        f"/visits/rentals/?estate={estate.code}",
        {
            "form": "listing",
            "unit": "9-9-999",
            "asking_rent": "3000",
            "available_from": "2026-12-01",
        },
    )
    assert response.status_code == 400 and "9-9-999" in response.content.decode()
    assert not RentalListing.objects.exists()


def test_api_lease_for_an_unregistered_unit_is_refused_then_filed(estate, staff, unit, owner):
    client = api_as(staff["frontdesk"])
    body = {
        "estate": estate.code,
        "unit": unit.code,
        "tenant_name": "张租客",
        "monthly_rent": "3000.00",
        "signed_on": "2026-12-01",
        "starts_on": "2026-12-01",
        "ends_on": "2027-11-30",
    }
    refused = client.post("/api/v1/leases/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400
    assert "登记" in refused.json()["error"]["message"] or "登记" in str(refused.json())
    assert not Lease.objects.exists() and not Resident.objects.filter(role="tenant").exists()
    listing = client.post(
        "/api/v1/rental-listings/",
        {
            "estate": estate.code,
            "unit": unit.code,
            "owner": owner.pk,
            "asking_rent": "3000",
            "available_from": "2026-12-01",
        },
        format="json",
    )
    assert listing.status_code == 201 and listing.json()["owner_phone"] == ""  # no consent
    filed = client.post("/api/v1/leases/", body, format="json")
    assert filed.status_code == 201
    data = filed.json()
    assert data["moved_in_on"] == "2026-12-01" and data["moved_out_on"] is None
    tenant = Resident.objects.get(pk=data["tenant"])
    assert tenant.role == "tenant" and tenant.unit == unit
    # The unit's card on the lookup page tells the story.
    page = client_for(staff["frontdesk"]).get("/visits/lookup/", {"q": unit.code}).content.decode()
    assert 'data-panel="visits.front_desk"' in page and data["number"] in page
    assert 'data-panel="visits.lease"' in page  # beside the tenant's name


def test_seeker_page_lists_candidates_and_proposes(estate, staff, unit, owner):
    listing = rentals.listing_register(
        estate=estate,
        actor=staff["frontdesk"],
        unit=unit,
        owner=owner,
        asking_rent="2800",
        available_from=dt.date(2026, 12, 1),
    )
    seeker = rentals.seeker_register(
        estate=estate, actor=staff["frontdesk"], name="求租者", phone="13700000009", budget="3000"
    )
    client = client_for(staff["frontdesk"])
    page = client.get(f"/visits/rentals/seekers/{seeker.pk}/").content.decode()
    assert f'data-testid="candidate-{listing.pk}"' in page
    client.post(f"/visits/rentals/{seeker.pk}/propose/", {"listing": listing.pk})
    assert listing.matches.filter(seeker=seeker).exists()
    assert client_for(staff["technician"]).get("/visits/rentals/").status_code == 403


def test_move_out_page_refuses_with_a_balance(estate, staff, unit):
    tenant = ResidentFactory(unit=unit, role="tenant", moved_in_on=dt.date(2026, 1, 1))
    item = ChargeItem.objects.create(estate=estate, code="w", name="水费", kind="one_off")
    charge_add(unit=unit, item=item, amount="50", actor=staff["finance"])
    client = client_for(staff["frontdesk"])
    client.post(
        f"/visits/move-outs/?estate={estate.code}",
        {"tenant": tenant.pk, "planned_on": "2026-12-20"},
    )
    move_out = MoveOut.objects.get()
    client.post(move_out.get_absolute_url(), {"action": "keys", "note": "钥匙 2 把"})
    client.post(move_out.get_absolute_url(), {"action": "inspect", "note": "完好"})
    response = client.post(
        move_out.get_absolute_url(),
        {"action": "complete", "moved_out_on": "2026-12-20"},
        follow=True,
    )
    assert "欠费" in response.content.decode() or "50.00" in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.moved_out_on is None
    api = api_as(staff["frontdesk"])
    refused = api.post(f"/api/v1/move-outs/{move_out.pk}/complete/", {}, format="json")
    assert refused.status_code == 400


def test_another_estates_staff_get_404_and_change_nothing(estate, other_estate, staff, unit, owner):
    desk = staff["frontdesk"]
    listing = rentals.listing_register(
        estate=estate,
        actor=desk,
        unit=unit,
        owner=owner,
        asking_rent="3000",
        available_from=dt.date(2026, 12, 1),
    )
    seeker = rentals.seeker_register(
        estate=estate, actor=desk, name="求租者", phone="13700000009", budget="3000"
    )
    match = rentals.match_propose(listing_id=listing.pk, seeker_id=seeker.pk, actor=desk)
    lease = rentals.lease_file(
        estate=estate,
        actor=desk,
        unit=unit,
        match=match,
        tenant_name="张租客",
        tenant_phone="",
        monthly_rent="3000",
        signed_on=dt.date(2026, 12, 1),
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 11, 30),
    )
    move_out = moveout.move_out_start(
        tenant=lease.tenant, actor=desk, planned_on=dt.date(2027, 1, 1)
    )
    visitor = gate.visitor_register(
        estate=estate, actor=desk, name="访客", unit=unit, host_name="王", host_agreed=True
    )
    parcel = gate.parcel_log(
        estate=estate,
        actor=desk,
        kind="parcel",
        description="包裹",
        for_name="王",
        left_by="快递",
        unit=unit,
    )
    stranger = make_staff("stranger", *[r.value for r in Role], estates=[other_estate])
    web = client_for(stranger)
    pages = [
        ("get", listing.get_absolute_url()),
        ("post", listing.get_absolute_url()),
        ("get", f"/visits/rentals/units/{listing.pk}/attorney/"),
        ("get", f"/visits/rentals/seekers/{seeker.pk}/"),
        ("post", f"/visits/rentals/{listing.pk}/withdraw/"),
        ("post", f"/visits/rentals/{seeker.pk}/propose/"),
        ("post", f"/visits/rentals/{match.pk}/viewed/"),
        ("get", lease.get_absolute_url()),
        ("post", lease.get_absolute_url()),
        ("get", move_out.get_absolute_url()),
        ("post", move_out.get_absolute_url()),
        ("post", f"/visits/gate/{visitor.pk}/leave/"),
        ("post", f"/visits/parcels/{parcel.pk}/collect/"),
    ]
    api = api_as(stranger)
    calls = [
        f"/api/v1/rental-listings/{listing.pk}/withdraw/",
        f"/api/v1/rental-matches/{match.pk}/decline/",
        f"/api/v1/leases/{lease.pk}/charge/",
        f"/api/v1/move-outs/{move_out.pk}/inspect/",
        f"/api/v1/gate-visitors/{visitor.pk}/leave/",
        f"/api/v1/parcels/{parcel.pk}/forward/",
    ]
    assert [u for m, u in pages if getattr(web, m)(u).status_code != 404] == []
    assert [
        u for u in calls if api.post(u, {"note": "x", "to": "x"}, format="json").status_code != 404
    ] == []
    assert api.get(f"/api/v1/rental-listings/candidates/?seeker={seeker.pk}").status_code == 404
    for obj in (listing, move_out, visitor, parcel):
        obj.refresh_from_db()
    assert listing.status == "let" and move_out.inspected_at is None
    assert visitor.left_at is None and parcel.status == "held"
