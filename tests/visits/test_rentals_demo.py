"""The demo estate has something to show on every front-desk service page: units to let, a
seeker with a viewing booked, a filed lease whose tenant is a resident, an open move-out, today's
visitors and a letter waiting at the desk."""

import pytest
from django.core.management import call_command

from propserv.models import Estate
from visits.models import GateVisitor, Lease, MoveOut, Parcel, RentalListing, RentalMatch

pytestmark = pytest.mark.django_db


def test_demo_seeds_the_front_desk_services():
    call_command("seed_demo", verbosity=0)
    estate = Estate.objects.get(code="CUIHU")
    assert RentalListing.objects.filter(estate=estate, status="open").count() == 2
    assert RentalMatch.objects.filter(estate=estate, status="viewing").count() == 1
    lease = Lease.objects.get(estate=estate)
    assert lease.tenant.role == "tenant" and lease.tenant.moved_in_on == lease.starts_on
    assert MoveOut.objects.filter(tenant=lease.tenant, status="open").exists()
    assert GateVisitor.objects.filter(estate=estate).count() == 2
    assert Parcel.objects.filter(estate=estate, status="held").exists()
    call_command("seed_demo", verbosity=0)  # a second run adds nothing
    assert RentalListing.objects.filter(estate=estate).count() == 3
