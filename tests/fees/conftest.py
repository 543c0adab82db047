"""Fixtures of the fees tests."""

import datetime as dt

import pytest

from tests.conftest import PASSWORD
from tests.fees.helpers import bill, months, service_item

JAN = dt.date(2026, 1, 1)


@pytest.fixture
def item(estate):
    """The property service fee, ¥2.50/m²/month from 2026-01 (units are 100 m²: ¥250 a month)."""
    return service_item(estate)


@pytest.fixture
def finance(staff):
    return staff["finance"]


@pytest.fixture
def cashier(staff):
    return staff["frontdesk"]


@pytest.fixture
def billed_unit(unit, item, finance):
    """`unit` billed January–March 2026: ¥750 owed."""
    bill(unit.estate, finance, *months(JAN, 3))
    return unit


@pytest.fixture
def desk(client, staff):
    client.login(username="frontdesk", password=PASSWORD)
    return client
