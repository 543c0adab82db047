"""Billing runs: preview, issue, idempotency, restart after a crash, concurrent runs, closed
periods, apportioned and fixed items (docs/domain.md, "Fees")."""

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from fees import rules, services
from fees.models import BillingRun, Charge, ChargeItem, LedgerEntry, Subscription, Tariff
from fees.services import billing
from propserv.errors import InvalidTransition
from propserv.models import Unit
from tests.factories import UnitFactory
from tests.fees.helpers import units

APR = dt.date(2026, 4, 1)


@pytest.mark.django_db
def test_preview_then_issue(estate, item, finance):
    us = units(estate, 3)
    vacant = UnitFactory(building=us[0].building, code="1-1-999", status=Unit.Status.VACANT)
    sold = UnitFactory(building=us[0].building, code="1-1-998", status=Unit.Status.SOLD)
    preview = services.billing_preview(estate=estate, period=APR, actor=finance)
    assert preview["units"] == 4 and preview["total"] == D("1000.00") and preview["already"] == 0
    assert not Charge.objects.exists()
    run = services.billing_start(estate=estate, period=APR, actor=finance)
    run = services.billing_issue(run=run, actor=finance)
    assert run.status == BillingRun.Status.DONE and run.percent == 100
    assert Charge.objects.count() == 4
    assert not Charge.objects.filter(unit=vacant).exists()
    charge = Charge.objects.get(unit=sold)
    assert charge.due_on == dt.date(2026, 4, 10) and charge.amount == D("250.00")
    assert LedgerEntry.objects.filter(kind="charge").count() == 4
    again = services.billing_preview(estate=estate, period=APR, actor=finance)
    assert again["already"] == 4


@pytest.mark.django_db
def test_run_twice_bills_once(estate, item, finance):
    units(estate, 3)
    for _ in range(2):
        run = services.billing_start(estate=estate, period=APR, actor=finance)
        services.billing_issue(run=run, actor=finance)
    assert Charge.objects.count() == 3
    assert LedgerEntry.objects.count() == 3


@pytest.mark.django_db
def test_killed_midway_and_restarted_bills_each_once(estate, item, finance, monkeypatch):
    units(estate, 6)
    real = billing.bill_chunk
    calls = {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # killed while billing the second chunk: it rolls back
            raise SystemExit("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(billing, "CHUNK", 3)
    monkeypatch.setattr(billing, "bill_chunk", crashing)
    run = services.billing_start(estate=estate, period=APR, actor=finance)
    with pytest.raises(SystemExit):
        services.billing_issue(run=run, actor=finance)
    assert Charge.objects.count() == 3
    run.refresh_from_db()
    assert run.status == BillingRun.Status.RUNNING and run.units_done == 3
    monkeypatch.setattr(billing, "bill_chunk", real)
    again = services.billing_start(estate=estate, period=APR, actor=finance)
    assert again.pk == run.pk
    services.billing_issue(run=again, actor=finance)
    assert Charge.objects.count() == 6
    assert LedgerEntry.objects.filter(kind="charge").count() == 6


@pytest.mark.django_db(transaction=True)
def test_beat_and_hand_at_once_bill_each_once(estate, item, finance, monkeypatch):
    monkeypatch.setattr(billing, "CHUNK", 2)
    units(estate, 8)
    barrier = threading.Barrier(2)
    errors = []

    def run_once():
        try:
            barrier.wait()
            run = services.billing_start(estate=estate, period=APR, actor=finance)
            services.billing_issue(run=run, actor=finance)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Charge.objects.count() == 8
    assert LedgerEntry.objects.filter(kind="charge").count() == 8


@pytest.mark.django_db
def test_closed_period_refused(estate, item, finance):
    units(estate, 1)
    services.period_close(estate=estate, period=APR, actor=finance)
    with pytest.raises(InvalidTransition) as err:
        services.billing_start(estate=estate, period=APR, actor=finance)
    assert "2026-04" in str(err.value.message)
    assert not Charge.objects.exists() and not BillingRun.objects.exists()


@pytest.mark.django_db
def test_new_rate_never_changes_an_issued_bill(estate, item, finance):
    us = units(estate, 1)
    run = services.billing_start(estate=estate, period=APR, actor=finance)
    services.billing_issue(run=run, actor=finance)
    Tariff.objects.filter(item=item).update(valid_to=dt.date(2026, 5, 1))
    services.tariff_set(item=item, rate="3.00", valid_from=dt.date(2026, 5, 1), actor=finance)
    run = services.billing_start(estate=estate, period=dt.date(2026, 5, 1), actor=finance)
    services.billing_issue(run=run, actor=finance)
    amounts = list(
        Charge.objects.filter(unit=us[0]).order_by("period").values_list("amount", flat=True)
    )
    assert amounts == [D("250.00"), D("300.00")]


@pytest.mark.django_db
def test_rate_by_unit_use(estate, item, finance):
    shop = UnitFactory(
        building__estate=estate, code="S-1", use=Unit.Use.COMMERCIAL, area_m2=D("33.33")
    )
    Tariff.objects.filter(item=item).update(use=Unit.Use.RESIDENTIAL)
    Tariff.objects.create(
        estate=estate, item=item, use="commercial", rate=D("5.1234"), valid_from=dt.date(2026, 1, 1)
    )
    run = services.billing_start(estate=estate, period=APR, actor=finance)
    services.billing_issue(run=run, actor=finance)
    assert Charge.objects.get(unit=shop).amount == D("170.76")  # 33.33 × 5.1234 = 170.762…


@pytest.mark.django_db
def test_fixed_and_apportioned_items(estate, finance):
    us = units(estate, 3)
    Unit.objects.filter(pk=us[2].pk).update(area_m2=D("50.00"))
    parking = ChargeItem.objects.create(estate=estate, code="parking", name="车位", kind="fixed")
    Tariff.objects.create(
        estate=estate, item=parking, rate=D("150"), valid_from=dt.date(2026, 1, 1)
    )
    Subscription.objects.create(
        estate=estate, unit=us[0], item=parking, quantity=2, starts_on=dt.date(2026, 1, 1)
    )
    lift = ChargeItem.objects.create(
        estate=estate, code="lift", name="电梯电费", kind="apportioned"
    )
    Tariff.objects.create(
        estate=estate,
        item=lift,
        building=us[0].building,
        rate=D("100.00"),
        valid_from=APR,
        valid_to=dt.date(2026, 5, 1),
    )
    run = services.billing_start(estate=estate, period=APR, actor=finance)
    services.billing_issue(run=run, actor=finance)
    assert Charge.objects.get(item=parking).amount == D("300.00")
    lift_parts = list(
        Charge.objects.filter(item=lift).order_by("unit_id").values_list("amount", flat=True)
    )
    assert lift_parts == [D("40.00"), D("40.00"), D("20.00")]


def test_apportion_adds_up_to_the_cent():
    parts = rules.apportion(D("100.00"), {1: D("1"), 2: D("1"), 3: D("1")})
    assert sum(parts.values()) == D("100.00")
    assert sorted(parts.values()) == [D("33.33"), D("33.33"), D("33.34")]


@pytest.mark.django_db
def test_beat_bills_this_month_once(estate, item):
    units(estate, 2)
    today = dt.date(2026, 4, 3)
    assert services.bill_due_periods(today) == 2
    assert services.bill_due_periods(today) == 0
    assert Charge.objects.filter(period=APR).count() == 2
    assert BillingRun.objects.count() == 1
