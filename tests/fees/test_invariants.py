"""The money invariants against the real PostgreSQL (docs/domain.md, "Fees"): gapless receipt
numbers under concurrent payments, an exact balance under many concurrent payments on one
account, and random payments, reversals and refunds keeping every balance equal to its ledger."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from fees import services
from fees.models import Payment
from tests.fees.conftest import JAN
from tests.fees.helpers import assert_books_balance, bill, months, units


def _in_thread(fn):
    try:
        return fn()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_receipt_numbers_gapless_under_20_concurrent_payments(estate, item, staff):
    us = units(estate, 20)
    bill(estate, staff["finance"], JAN)
    barrier = threading.Barrier(20)

    def pay(unit):
        def go():
            barrier.wait()
            return services.payment_post(
                unit=unit, amount="100.00", method="cash", actor=staff["frontdesk"]
            ).receipt_seq

        return _in_thread(go)

    with ThreadPoolExecutor(20) as pool:
        seqs = sorted(pool.map(pay, us))
    assert seqs == list(range(1, 21))


@pytest.mark.django_db
def test_rolled_back_payment_leaves_no_gap(billed_unit, cashier):
    services.payment_post(unit=billed_unit, amount="10.00", method="cash", actor=cashier)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.payment_post(unit=billed_unit, amount="10.00", method="cash", actor=cashier)
        raise RuntimeError("the printer jammed: the whole request is rolled back")
    services.payment_post(unit=billed_unit, amount="10.00", method="cash", actor=cashier)
    assert sorted(Payment.objects.values_list("receipt_seq", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_on_one_account_leave_the_balance_exact(unit, item, staff):
    """1,000 payments from 20 threads at once on one account (issue 13, "Invariants"): they queue
    on the account lock; the balance, the ledger and the receipt numbers come out exact."""
    bill(unit.estate, staff["finance"], *months(JAN, 12))  # ¥3,000 owed
    count, amount = 1000, D("12.34")
    barrier = threading.Barrier(20)

    def pay(i):
        def go():
            if i < 20:
                barrier.wait()
            return services.payment_post(
                unit=unit,
                amount=amount,
                method="wechat",
                reference=f"WX{i}",
                actor=staff["frontdesk"] if i % 2 else staff["finance"],
                keep_credit=True,
            )

        return _in_thread(go)

    with ThreadPoolExecutor(20) as pool:
        list(pool.map(pay, range(count)))
    assert Payment.objects.count() == count
    assert services.balance_of(unit) == D("3000.00") - count * amount
    assert sorted(Payment.objects.values_list("receipt_seq", flat=True)) == list(
        range(1, count + 1)
    )
    assert_books_balance(unit)


@pytest.mark.django_db
def test_random_payments_reversals_refunds_keep_balances_equal_to_the_ledger(estate, item, staff):
    rng = random.Random(20261206)
    us = units(estate, 4)
    bill(estate, staff["finance"], *months(JAN, 6))
    finance, desk = staff["finance"], staff["frontdesk"]
    for step in range(120):
        unit = rng.choice(us)
        action = rng.random()
        if action < 0.6:
            amount = D(rng.randint(1, 40000)) / 100
            services.payment_post(
                unit=unit,
                amount=amount,
                method=rng.choice(["cash", "transfer", "wechat", "alipay"]),
                reference=f"R{step}",
                actor=rng.choice([finance, desk]),
                keep_credit=True,
            )
        elif action < 0.8:
            live = Payment.objects.filter(unit=unit, reversed_at__isnull=True).order_by("?").first()
            if live is not None and (live.unapplied or live.allocations.exists()):
                services.payment_reverse(payment=live, actor=finance, reason=f"step {step}")
        else:
            held = services.credit_of(unit)
            if held > 0:
                part = max(D("0.01"), (held * D(rng.randint(1, 100)) / 100).quantize(D("0.01")))
                services.credit_refund(
                    unit=unit, amount=min(part, held), method="cash", actor=finance
                )
        if step % 30 == 29:
            bill(estate, finance, months(JAN, 7 + step // 30)[-1])
        assert_books_balance(unit)
    for unit in us:
        assert_books_balance(unit)
