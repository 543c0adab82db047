"""A neighbour's complaint linked to the renovation: it shows on both pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import RenovationComplaint
from tests.factories import UnitFactory
from tests.inspections.conftest import login
from tests.inspections.helpers import approved
from tickets.services import complaints as complaint_services

pytestmark = pytest.mark.django_db


def complaint(estate, unit, actor):
    return complaint_services.complaint_create(
        estate=estate,
        actor=actor,
        received_at=timezone.now(),
        now=timezone.now(),
        description="楼上装修噪音，中午也在打墙",
        category="management",
        unit=unit,
        complainant_name="王女士",
        complainant_phone="13800001111",
    )


def test_a_complaint_shows_on_the_renovation_and_the_complaint(
    client, estate, unit, owner, person, staff
):
    renovation = approved(unit, owner, person, staff)
    below = UnitFactory(building=unit.building, code="3-2-1402")
    c = complaint(estate, below, staff["frontdesk"])
    login(client, "frontdesk")
    response = client.post(
        reverse("inspections:complaint-link", args=[renovation.pk]), {"complaint": c.number}
    )
    assert response.status_code == 302
    services.complaint_link(renovation=renovation, complaint=c, actor=staff["supervisor"])
    assert RenovationComplaint.objects.count() == 1  # idempotent
    assert c.number in client.get(renovation.get_absolute_url()).content.decode()
    page = client.get(c.get_absolute_url()).content.decode()
    assert 'data-panel="inspections.renovation"' in page and renovation.permit_number in page
    with pytest.raises(PermissionDenied):
        services.complaint_link(renovation=renovation, complaint=c, actor=staff["technician"])


def test_another_estates_complaint_cannot_be_linked(
    estate, other_estate, unit, owner, person, staff
):
    renovation = approved(unit, owner, person, staff)
    far_unit = UnitFactory(building__estate=other_estate)
    root = staff["gm"]
    root.staff.estates.add(other_estate)
    c = complaint(other_estate, far_unit, root)
    with pytest.raises(ValidationError):
        services.complaint_link(renovation=renovation, complaint=c, actor=root)
