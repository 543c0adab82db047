"""Regression tests of the fees races and closed-day rules, against the real PostgreSQL: a day's
close reads its takings under the day's lock (a payment in flight is counted), a closed day takes
no more payments, a later reversal lands on the day it is made, a period is not closed under a
running billing run, and two concurrent requests with one Idempotency-Key make one payment."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.utils import timezone

from fees import selectors, services
from fees.models import Account, BillingRun, ClosedPeriod, LedgerEntry, Payment
from propserv.errors import InvalidTransition
from tests.conftest import api_as, wait_for
from tests.fees.conftest import JAN


def _waiting_locks() -> int:
    """Backends of this database waiting for a lock (another thread is blocked)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def _in_thread(fn):
    try:
        return fn()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_day_close_counts_a_payment_committed_while_it_waits(billed_unit, staff):
    desk, finance = staff["frontdesk"], staff["finance"]
    services.payment_post(unit=billed_unit, amount="100.00", method="cash", actor=desk)
    day = timezone.localdate()
    posted, commit = threading.Event(), threading.Event()

    def pay_slowly():
        with transaction.atomic():
            services.payment_post(unit=billed_unit, amount="50.00", method="cash", actor=desk)
            posted.set()
            assert commit.wait(30)

    def close():
        return services.day_close(
            estate=billed_unit.estate, cashier=desk, day=day, counted_cash="150.00", actor=finance
        )

    with ThreadPoolExecutor(2) as pool:
        paying = pool.submit(_in_thread, pay_slowly)
        assert posted.wait(30)
        closing = pool.submit(_in_thread, close)
        assert wait_for(lambda: _waiting_locks() >= 1)  # the close waits for the payment
        commit.set()
        paying.result()
        closed = closing.result()
    assert closed.expected_cash == D("150.00") and closed.takings["cash"] == "150.00"


@pytest.mark.django_db
def test_a_closed_day_takes_no_more_payments(billed_unit, staff):
    desk, finance = staff["frontdesk"], staff["finance"]
    services.payment_post(unit=billed_unit, amount="100.00", method="cash", actor=desk)
    services.day_close(
        estate=billed_unit.estate,
        cashier=desk,
        day=timezone.localdate(),
        counted_cash="100.00",
        actor=finance,
    )
    with pytest.raises(InvalidTransition) as err:
        services.payment_post(unit=billed_unit, amount="20.00", method="cash", actor=desk)
    assert err.value.code == "day_closed"
    assert Payment.objects.count() == 1
    # Another cashier's day is still open; so is the next day of the same cashier.
    services.payment_post(unit=billed_unit, amount="20.00", method="cash", actor=finance)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    services.payment_post(unit=billed_unit, amount="5.00", method="cash", actor=desk, at=tomorrow)
    assert Payment.objects.count() == 3


@pytest.mark.django_db
def test_a_reversal_after_the_close_lands_on_the_day_it_is_made(billed_unit, staff):
    desk, finance = staff["frontdesk"], staff["finance"]
    monday = timezone.make_aware(dt.datetime(2026, 11, 30, 10, 0))
    tuesday = monday + dt.timedelta(days=1)
    payment = services.payment_post(
        unit=billed_unit, amount="100.00", method="cash", actor=desk, at=monday
    )
    other = services.payment_post(
        unit=billed_unit, amount="30.00", method="wechat", reference="WX9", actor=desk, at=monday
    )
    closed = services.day_close(
        estate=billed_unit.estate,
        cashier=desk,
        day=monday.date(),
        counted_cash="100.00",
        actor=finance,
    )
    services.payment_reverse(payment=payment, actor=finance, reason="收错户", at=tuesday)
    (row,) = selectors.takings(billed_unit.estate, monday.date())
    assert row["by_method"]["cash"] == D("100.00") == closed.expected_cash
    assert row["expected_cash"] == D("100.00")
    (tue,) = selectors.takings(billed_unit.estate, tuesday.date())
    assert tue["cashier"] == finance and tue["by_method"]["cash"] == D("-100.00")
    assert tue["reversed"] == D("100.00")
    # Finance's Tuesday closed: a reversal made on it is refused, nothing written.
    services.day_close(
        estate=billed_unit.estate,
        cashier=finance,
        day=tuesday.date(),
        counted_cash="0.00",
        explanation="冲正退款",
        actor=finance,
    )
    with pytest.raises(InvalidTransition):
        services.payment_reverse(payment=other, actor=finance, reason="x", at=tuesday)
    other.refresh_from_db()
    assert other.reversed_at is None
    assert not LedgerEntry.objects.filter(payment=other, kind="payment_reversed").exists()


@pytest.mark.django_db
def test_a_period_is_not_closed_while_its_run_is_going(unit, item, staff):
    finance = staff["finance"]
    run = services.billing_start(estate=unit.estate, period=JAN, actor=finance)
    assert run.status == BillingRun.Status.RUNNING
    with pytest.raises(InvalidTransition) as err:
        services.period_close(estate=unit.estate, period=JAN, actor=finance)
    assert err.value.code == "run_going" and not ClosedPeriod.objects.exists()
    services.billing_issue(run=run, actor=finance)
    services.period_close(estate=unit.estate, period=JAN, actor=finance)
    with pytest.raises(InvalidTransition):
        services.billing_start(estate=unit.estate, period=JAN, actor=finance)
    # A redelivered run of a closed period bills nothing.
    with pytest.raises(InvalidTransition):
        services.billing_issue(run=run, actor=finance)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_payment(billed_unit, staff):
    body = {"unit": billed_unit.pk, "amount": "100.00", "method": "cash"}
    holding, release = threading.Event(), threading.Event()

    def hold_the_account():
        # Both requests queue behind this lock, so both are in flight at once.
        with transaction.atomic():
            Account.objects.select_for_update().filter(pk=billed_unit.pk).exists()
            holding.set()
            assert release.wait(30)

    def post():
        resp = api_as(staff["frontdesk"]).post(
            "/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key"
        )
        return resp.status_code, resp.json()

    with ThreadPoolExecutor(3) as pool:
        holder = pool.submit(_in_thread, hold_the_account)
        assert holding.wait(30)
        requests = [pool.submit(_in_thread, post) for _ in range(2)]
        assert wait_for(lambda: _waiting_locks() >= 2)
        release.set()
        holder.result()
        (s1, b1), (s2, b2) = (r.result() for r in requests)
    assert sorted([s1, s2]) == [200, 201]
    assert b1 == b2
    assert Payment.objects.count() == 1
