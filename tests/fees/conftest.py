"""Fixtures of the fees tests."""

import datetime as dt
from decimal import Decimal as D

import pytest

from fees import services
from tests.conftest import PASSWORD
from tests.fees.helpers import bill, months, service_item, units

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


@pytest.fixture
def behind(estate, item, finance, cashier):
    """Five units billed Jan–Dec 2026 (due the 10th); paid up to leave 0, 1, 3, 6 and 7
    months unpaid (the newest ones)."""
    us = units(estate, 5)
    bill(estate, finance, *months(JAN, 12))
    for unit, unpaid in zip(us, [0, 1, 3, 6, 7], strict=True):
        if unpaid < 12:
            services.payment_post(
                unit=unit, amount=D(250) * (12 - unpaid), method="cash", actor=cashier
            )
    return dict(zip([0, 1, 3, 6, 7], us, strict=True))
