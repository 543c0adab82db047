"""Fees' dashboard card (fees.kpis), computed directly against a hand-built data set: arrears by
age bucket, collections against the period before, the notice and the large debts; three SQL
statements whatever the period; drill-downs that list exactly the units behind each figure."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from fees import kpis, selectors, services
from fees.models import Payment
from fees.services.billing import issue_run, start_run
from propserv.registry import Period, registry
from propserv.roles import Role
from tests.conftest import PASSWORD
from tests.factories import UnitFactory
from tests.fees.conftest import JAN
from tests.fees.helpers import service_item

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 20)


def _period(now, days=1):
    span = dt.timedelta(days=days)
    return Period(now - span, now + span, now - 3 * span, now - span)


@pytest.fixture
def figures(behind, other_estate, staff):
    estate = behind[7].estate
    row = estate.service_settings
    row.large_debt_amount = D("1500.00")
    row.save()
    # Another estate's debts never count.
    service_item(other_estate)
    UnitFactory(building__estate=other_estate, code="9-9-999")
    issue_run(start_run(other_estate, JAN))
    (card,) = kpis.compute(staff["gm"], [estate.pk], _period(timezone.now()), today=TODAY)
    return {k.key: k for k in card.kpis}, card


def test_arrears_by_bucket(figures):
    kpi, card = figures
    # behind: 1, 3, 6, 7 months unpaid of ¥250 (Jan–Dec, due the 10th), on 12-20.
    assert kpi["arrears_d1_30"].value == D("1000.00") and kpi["arrears_d1_30_units"].value == 4
    assert kpi["arrears_d31_90"].value == D("1500.00") and kpi["arrears_d31_90_units"].value == 3
    assert kpi["arrears_d91_180"].value == D("1500.00")
    assert kpi["arrears_d91_180_units"].value == 2
    assert kpi["arrears_d181"].value == D("250.00") and kpi["arrears_d181_units"].value == 1
    amounts, units = card.charts
    assert amounts.kind == units.kind == "bar"
    assert amounts.series[0][1] == (D("1000.00"), D("1500.00"), D("1500.00"), D("250.00"))
    assert units.series[0][1] == (4, 3, 2, 1)


def test_notice_and_large_debts(figures):
    kpi, _card = figures
    assert kpi["notice_units"].value == 2  # 6 and 7 months behind
    assert kpi["large_debts"].value == 2  # ¥1,500 and ¥1,750 against ¥1,500
    assert kpi["large_debts_total"].value == D("3250.00")


def test_collected_against_the_period_before(behind, staff):
    estate = behind[7].estate
    now = timezone.now()
    (card,) = kpis.compute(staff["gm"], [estate.pk], _period(now), today=TODAY)
    kpi = {k.key: k for k in card.kpis}
    assert kpi["collected"].value == D("10750.00") and kpi["collected"].previous == D("0.00")
    payment = Payment.objects.filter(unit=behind[7]).get()
    services.payment_reverse(payment=payment, actor=staff["finance"], reason="收错")
    (card,) = kpis.compute(staff["gm"], [estate.pk], _period(now), today=TODAY)
    kpi = {k.key: k for k in card.kpis}
    assert kpi["collected"].value == D("10750.00") - payment.amount


def test_a_fixed_number_of_statements(behind, staff, django_assert_num_queries):
    estate = behind[7].estate
    for days in (1, 400):
        with django_assert_num_queries(3):
            kpis.compute(staff["gm"], [estate.pk], _period(timezone.now(), days), today=TODAY)


def test_drill_downs_list_exactly_the_units(client, behind, staff):
    """The arrears list ages as of today: the card is computed as of today too."""
    estate = behind[7].estate
    (card,) = kpis.compute(staff["gm"], [estate.pk], _period(timezone.now()))
    kpi = {k.key: k for k in card.kpis}
    rows = {r["unit_id"]: r for r in selectors.ageing([estate.pk])}
    client.login(username="supervisor", password=PASSWORD)

    def listed(url):
        page = client.get(url).content.decode()
        return {k for k, unit in behind.items() if f">{unit.code}</a>" in page}

    for key in ("d1_30", "d31_90", "d91_180", "d181"):
        owing = {k for k, u in behind.items() if rows.get(u.pk, {}).get(key, 0) > 0}
        assert listed(kpi[f"arrears_{key}"].url) == owing
        assert listed(kpi[f"arrears_{key}_units"].url) == owing
        assert kpi[f"arrears_{key}_units"].value == len(owing)
    behind_6 = {k for k, u in behind.items() if rows.get(u.pk, {}).get("months", 0) >= 6}
    assert listed(kpi["notice_units"].url) == behind_6 and kpi["notice_units"].value == len(
        behind_6
    )


def test_registered_for_managers_and_finance(staff):
    provider = registry.kpis["fees"]
    assert provider.compute is kpis.compute
    assert Role.FINANCE in provider.roles and Role.GM in provider.roles
    assert Role.FRONT_DESK not in provider.roles
