"""Rentals (房屋租赁): listing → seeker → match (owners paid in full first) → viewing → lease; the
tenant becomes a resident of the unit with the lease's dates; the agency fee from the price list
becomes a charge on the unit's account; a lease for an unregistered unit is refused."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fees import selectors as fee_selectors
from fees.models import Charge, ChargeItem
from fees.services.charges import charge_add
from propserv.errors import NotAllowed
from propserv.models import Resident
from tests.factories import ResidentFactory, UnitFactory
from tickets.models import PriceItem
from visits.models import Lease, RentalListing, RentalMatch, RentalSeeker
from visits.selectors import rentals as rental_selectors
from visits.services import rentals

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def owner(unit):
    return ResidentFactory(unit=unit, name="李业主", phone="13900001502")


@pytest.fixture
def agency_price(estate):
    return PriceItem.objects.create(
        estate=estate, code=rentals.AGENCY_PRICE_CODE, name="租赁中介费", price=D("800.00")
    )


def _listing(estate, staff, unit, owner, rent="3000", **kw):
    return rentals.listing_register(
        estate=estate,
        actor=staff["frontdesk"],
        unit=unit,
        owner=owner,
        asking_rent=rent,
        available_from=dt.date(2026, 12, 1),
        contact_consent=True,
        **kw,
    )


def test_match_viewing_lease_makes_the_tenant_a_resident_with_dates(
    estate, staff, unit, owner, agency_price
):
    listing = _listing(estate, staff, unit, owner)
    seeker = rentals.seeker_register(
        estate=estate, actor=staff["frontdesk"], name="张租客", phone="13700000001", budget="3500"
    )
    match = rentals.match_propose(
        listing_id=listing.pk, seeker_id=seeker.pk, actor=staff["frontdesk"]
    )
    rentals.match_book_viewing(
        match_id=match.pk,
        actor=staff["frontdesk"],
        viewing_at=dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC),
    )
    rentals.match_record_viewing(match_id=match.pk, actor=staff["frontdesk"], interested=True)
    lease = rentals.lease_file(
        estate=estate,
        actor=staff["project_manager"],
        unit=unit,
        match=match,
        tenant_name="张租客",
        tenant_phone="13700000001",
        monthly_rent="3200",
        signed_on=dt.date(2026, 12, 5),
        starts_on=dt.date(2026, 12, 10),
        ends_on=dt.date(2027, 12, 9),
        document=SimpleUploadedFile("lease.pdf", PDF),
    )
    tenant = Resident.objects.get(pk=lease.tenant_id)
    assert tenant.role == Resident.Role.TENANT and tenant.unit == unit
    assert tenant.moved_in_on == dt.date(2026, 12, 10) and tenant.moved_out_on is None
    assert (lease.starts_on, lease.ends_on) == (dt.date(2026, 12, 10), dt.date(2027, 12, 9))
    assert Resident.objects.current(dt.date(2027, 1, 1)).filter(pk=tenant.pk).exists()
    assert RentalListing.objects.get(pk=listing.pk).status == RentalListing.Status.LET
    assert RentalMatch.objects.get(pk=match.pk).status == RentalMatch.Status.LEASED
    assert RentalSeeker.objects.get(pk=seeker.pk).status == RentalSeeker.Status.HOUSED
    # The agency fee of the price list is a one-off charge on the unit's account.
    charge = Charge.objects.get(pk=lease.agency_charge_id)
    assert charge.amount == D("800.00") and charge.unit == unit
    assert charge.item.kind == ChargeItem.Kind.ONE_OFF
    assert fee_selectors.balance(unit) == D("800.00")
    assert lease.document.read().startswith(b"%PDF")


def test_front_desk_files_and_finance_charges_the_fee_later(
    estate, staff, unit, owner, agency_price
):
    _listing(estate, staff, unit, owner)
    lease = rentals.lease_file(
        estate=estate,
        actor=staff["frontdesk"],
        unit=unit,
        tenant_name="赵租客",
        tenant_phone="",
        monthly_rent="3000",
        signed_on=dt.date(2026, 12, 1),
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 6, 1),
    )
    assert lease.agency_fee == D("800.00") and lease.agency_charge is None
    assert "charge" not in rentals.lease_allowed_actions(lease, staff["frontdesk"])
    assert "charge" in rentals.lease_allowed_actions(lease, staff["finance"])
    rentals.lease_charge_agency_fee(lease_id=lease.pk, actor=staff["finance"])
    rentals.lease_charge_agency_fee(lease_id=lease.pk, actor=staff["finance"])  # once
    assert Charge.objects.filter(unit=unit, item__code=rentals.AGENCY_CHARGE_CODE).count() == 1


def test_a_lease_for_a_unit_its_owner_did_not_register_is_refused(estate, staff, unit, owner):
    with pytest.raises(ValidationError) as exc:
        rentals.lease_file(
            estate=estate,
            actor=staff["frontdesk"],
            unit=unit,
            tenant_name="张租客",
            tenant_phone="",
            monthly_rent="3000",
            signed_on=dt.date(2026, 12, 1),
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2027, 6, 1),
        )
    assert "unit" in exc.value.message_dict
    assert not Lease.objects.exists()
    assert not Resident.objects.filter(role=Resident.Role.TENANT).exists()


def test_owner_abroad_needs_the_power_of_attorney(estate, staff, unit, owner):
    with pytest.raises(ValidationError) as exc:
        _listing(estate, staff, unit, owner, by_attorney=True)
    assert "attorney" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _listing(
            estate,
            staff,
            unit,
            owner,
            by_attorney=True,
            attorney=SimpleUploadedFile("poa.pdf", b"not a pdf"),
        )
    assert not RentalListing.objects.exists()
    listing = _listing(
        estate, staff, unit, owner, by_attorney=True, attorney=SimpleUploadedFile("poa.pdf", PDF)
    )
    assert listing.by_attorney and listing.attorney_content_type == "application/pdf"


def test_only_a_current_owner_of_the_unit_lists_it(estate, staff, unit, owner):
    stranger = ResidentFactory(unit=UnitFactory(building=unit.building, code="3-2-1503"))
    with pytest.raises(ValidationError):
        _listing(estate, staff, unit, stranger)
    tenant = ResidentFactory(unit=unit, role=Resident.Role.TENANT)
    with pytest.raises(ValidationError):
        _listing(estate, staff, unit, tenant)
    _listing(estate, staff, unit, owner)
    with pytest.raises(ValidationError):  # one open listing per unit
        _listing(estate, staff, unit, owner)


def test_units_of_owners_paid_in_full_come_first(estate, staff, unit, owner):
    other = UnitFactory(building=unit.building, code="3-2-1601")
    other_owner = ResidentFactory(unit=other)
    item = ChargeItem.objects.create(estate=estate, code="x", name="物业费", kind="one_off")
    charge_add(unit=unit, item=item, amount="100", actor=staff["finance"])  # unit owes
    cheap = _listing(estate, staff, unit, owner, rent="2000")
    paid = _listing(estate, staff, other, other_owner, rent="2500")
    seeker = rentals.seeker_register(
        estate=estate, actor=staff["frontdesk"], name="求租者", phone="13700000002", budget="3000"
    )
    found = rental_selectors.candidates(seeker)
    assert [c.pk for c in found] == [paid.pk, cheap.pk]
    assert found[0].paid_in_full and not found[1].paid_in_full
    seeker_low = rentals.seeker_register(
        estate=estate, actor=staff["frontdesk"], name="预算低", phone="13700000003", budget="2200"
    )
    assert [c.pk for c in rental_selectors.candidates(seeker_low)] == [cheap.pk]


def test_roles_and_estates(estate, other_estate, staff, unit, owner):
    with pytest.raises(NotAllowed):
        _listing(estate, {"frontdesk": staff["technician"]}, unit, owner)
    with pytest.raises(ValidationError):
        rentals.listing_register(
            estate=estate,
            actor=staff["frontdesk"],
            unit=UnitFactory(building__estate=other_estate),
            owner=owner,
            asking_rent="1",
            available_from=dt.date(2026, 12, 1),
        )
    assert not RentalListing.objects.exists()
