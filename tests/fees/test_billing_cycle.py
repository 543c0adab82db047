"""Estates billed twice a year (docs/domain.md, "Fees"): two periods a year, January–June and
July–December, each bill six months of the monthly amount, due on `fee_due_day` of the period's
first month; once per (unit, item, period); months behind count the months gone by."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fees import selectors, services
from fees.models import Charge, Subscription, Tariff
from fees.models.tariffs import ChargeItem
from propserv.models import Unit
from tests.conftest import PASSWORD
from tests.factories import UnitFactory
from tests.fees.helpers import bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_yearly(estate):
    row = estate.service_settings
    row.billing_cycle_months = 6
    row.fee_due_day = 15
    row.save()
    return estate


def test_a_half_year_bill_is_six_months_due_in_its_first_month(half_yearly, unit, item, finance):
    sold = UnitFactory(building=unit.building, code="1-1-909", status=Unit.Status.SOLD)
    parking = ChargeItem.objects.create(
        estate=half_yearly, code="parking", name="车位费", kind=ChargeItem.Kind.FIXED
    )
    Tariff.objects.create(
        estate=half_yearly, item=parking, rate=D("150.00"), valid_from=dt.date(2026, 1, 1)
    )
    Subscription.objects.create(
        estate=half_yearly, unit=unit, item=parking, starts_on=dt.date(2026, 1, 1)
    )
    bill(half_yearly, finance, dt.date(2026, 3, 1))  # any month of the half: its first
    bill(half_yearly, finance, dt.date(2026, 1, 1))  # again: nothing more
    rows = Charge.objects.filter(unit=unit).order_by("item__code")
    assert [(c.item.code, c.amount) for c in rows] == [
        ("parking", D("900.00")),
        ("service", D("1500.00")),
    ]
    assert {(c.period, c.due_on, c.months) for c in rows} == {
        (dt.date(2026, 1, 1), dt.date(2026, 1, 15), 6)
    }
    # Sold but not moved in: billed per contract all the same.
    assert Charge.objects.get(unit=sold).amount == D("1500.00")
    bill(half_yearly, finance, dt.date(2026, 9, 1))
    assert Charge.objects.filter(unit=unit, period=dt.date(2026, 7, 1), months=6).count() == 2
    assert Charge.objects.count() == 6


def test_beat_bills_the_current_half_year_once(half_yearly, unit, item):
    assert services.bill_due_periods(dt.date(2026, 8, 20)) == 1
    assert services.bill_due_periods(dt.date(2026, 11, 2)) == 0
    (charge,) = Charge.objects.all()
    assert charge.period == dt.date(2026, 7, 1) and charge.amount == D("1500.00")


def test_preview_and_page_show_the_half_year(client, half_yearly, unit, item, finance):
    preview = services.billing_preview(
        estate=half_yearly, period=dt.date(2026, 8, 1), actor=finance
    )
    assert preview["period"] == dt.date(2026, 7, 1) and preview["months"] == 6
    assert preview["total"] == D("1500.00")
    client.login(username="finance", password=PASSWORD)
    page = client.get(reverse("fees:billing"), {"period": "2026-08"}).content.decode()
    assert "2026-07–2026-12" in page and "1500.00" in page
    assert 'data-testid="cycle"' in page


def test_months_behind_count_the_months_gone_by(half_yearly, unit, item, finance):
    bill(half_yearly, finance, dt.date(2026, 1, 1))

    def months_on(day):
        (row,) = selectors.ageing([half_yearly.pk], day)
        return row["months"]

    assert months_on(dt.date(2026, 1, 10)) == 0  # not yet due
    assert months_on(dt.date(2026, 2, 20)) == 2
    assert months_on(dt.date(2026, 6, 20)) == 6
    bill(half_yearly, finance, dt.date(2026, 7, 1))
    assert months_on(dt.date(2026, 9, 1)) == 9
    assert [line["unit"] for line in selectors.notice_lines(half_yearly, dt.date(2026, 6, 20))] == [
        unit.code
    ]
    assert selectors.notice_lines(half_yearly, dt.date(2026, 5, 20)) == []
