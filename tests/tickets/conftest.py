import datetime as dt

import pytest
from django.utils import timezone

from tickets.demo import ensure_reference_data
from tickets.services import complaints as complaint_services


@pytest.fixture
def categories(estate):
    """The default taxonomy and price list of `estate`: categories["water"] etc."""
    ensure_reference_data(estate)
    return {c.code: c for c in estate.repair_categories.all()}


@pytest.fixture
def make_complaint(estate, unit, staff):
    def make(received_at: dt.datetime | None = None, actor=None, **kwargs):
        received_at = received_at or timezone.now()
        kwargs.setdefault("description", "楼上装修噪音，物业劝阻不力")
        kwargs.setdefault("category", "management")
        kwargs.setdefault("unit", unit)
        kwargs.setdefault("complainant_name", "王女士")
        kwargs.setdefault("complainant_phone", "13800001111")
        now = kwargs.pop("now", received_at)
        return complaint_services.complaint_create(
            estate=estate,
            actor=actor or staff["frontdesk"],
            received_at=received_at,
            now=now,
            **kwargs,
        )

    return make
