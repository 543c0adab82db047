"""Taking payments: oldest first or picked, partial, credit, refusals (docs/domain.md, "Fees")."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from fees import services
from fees.models import Charge, LedgerEntry, Payment
from propserv.errors import InvalidTransition, NotAllowed
from tests.factories import UnitFactory
from tests.fees.helpers import assert_books_balance

pytestmark = pytest.mark.django_db


def post(unit, actor, amount, **kw):
    kw.setdefault("method", "cash")
    return services.payment_post(unit=unit, amount=amount, actor=actor, **kw)


def test_oldest_first_and_partial(billed_unit, cashier):
    payment = post(billed_unit, cashier, "300.00")
    paid = list(
        Charge.objects.filter(unit=billed_unit).order_by("period").values_list("paid", flat=True)
    )
    assert paid == [D("250.00"), D("50.00"), D("0.00")]
    assert payment.unapplied == 0
    assert services.balance_of(billed_unit) == D("450.00")
    assert payment.receipt_number.startswith("CUIHU-")
    assert_books_balance(billed_unit)


def test_picked_charge_goes_first(billed_unit, cashier):
    march = Charge.objects.get(unit=billed_unit, period=dt.date(2026, 3, 1))
    post(billed_unit, cashier, "250.00", picked=[march.pk])
    march.refresh_from_db()
    assert march.paid == march.amount
    assert Charge.objects.get(unit=billed_unit, period=dt.date(2026, 1, 1)).paid == 0


def test_overpayment_refused_without_keep_as_credit(billed_unit, cashier):
    with pytest.raises(ValidationError) as err, translation.override("en"):
        post(billed_unit, cashier, "800.00")
    assert "keep as credit" in str(err.value)
    with pytest.raises(ValidationError) as err, translation.override("zh-hans"):
        post(billed_unit, cashier, "800.00")
    assert "预存款" in str(err.value)
    assert not Payment.objects.exists() and not LedgerEntry.objects.filter(kind="payment").exists()


def test_overpayment_kept_as_credit_pays_the_next_bill(billed_unit, cashier, finance, item):
    payment = post(billed_unit, cashier, "800.00", keep_credit=True)
    assert payment.unapplied == D("50.00")
    assert services.balance_of(billed_unit) == D("-50.00")
    run = services.billing_start(
        estate=billed_unit.estate, period=dt.date(2026, 4, 1), actor=finance
    )
    services.billing_issue(run=run, actor=finance)
    payment.refresh_from_db()
    assert payment.unapplied == 0
    assert Charge.objects.get(unit=billed_unit, period=dt.date(2026, 4, 1)).paid == D("50.00")
    assert services.balance_of(billed_unit) == D("200.00")
    assert_books_balance(billed_unit)


def test_prepayment_with_nothing_owed(unit, item, cashier):
    payment = post(unit, cashier, "1000.00", keep_credit=True, method="wechat", reference="WX1")
    assert payment.unapplied == D("1000.00")
    assert services.balance_of(unit) == D("-1000.00")


@pytest.mark.parametrize("amount", ["-5", "0", "10.001", "abc", "NaN", "1e20"])
def test_bad_amounts_refused_and_nothing_written(billed_unit, cashier, amount):
    with pytest.raises(ValidationError):
        post(billed_unit, cashier, amount)
    assert not Payment.objects.exists()


def test_reference_needed_for_wechat(billed_unit, cashier):
    with pytest.raises(ValidationError) as err:
        post(billed_unit, cashier, "100.00", method="wechat")
    assert "reference" in err.value.message_dict
    assert not Payment.objects.exists()


def test_unknown_picked_charge_refused(billed_unit, cashier, estate):
    other = UnitFactory(building__estate=estate, code="9-9-999")
    with pytest.raises(ValidationError):
        post(billed_unit, cashier, "100.00", picked=[999999])
    assert not Payment.objects.filter(unit=other).exists()


def test_another_estates_unit_is_concealed(other_estate, cashier):
    stranger = UnitFactory(building__estate=other_estate, code="1-1-1")
    with pytest.raises(NotAllowed) as err:
        post(stranger, cashier, "100.00")
    assert err.value.conceal
    assert not Payment.objects.exists()


def test_reverse_puts_the_amount_back(billed_unit, cashier, finance):
    payment = post(billed_unit, cashier, "300.00")
    services.payment_reverse(payment=payment, actor=finance, reason="wrong unit")
    assert services.balance_of(billed_unit) == D("750.00")
    assert set(Charge.objects.filter(unit=billed_unit).values_list("paid", flat=True)) == {D("0")}
    with pytest.raises(InvalidTransition):
        services.payment_reverse(payment=payment, actor=finance, reason="again")
    assert_books_balance(billed_unit)


def test_reverse_needs_a_reason(billed_unit, cashier, finance):
    payment = post(billed_unit, cashier, "300.00")
    with pytest.raises(ValidationError):
        services.payment_reverse(payment=payment, actor=finance, reason=" ")


def test_refund_of_credit(unit, item, cashier, finance):
    post(unit, cashier, "500.00", keep_credit=True)
    with pytest.raises(ValidationError):
        services.credit_refund(unit=unit, amount="600", method="cash", actor=finance)
    services.credit_refund(unit=unit, amount="200", method="cash", actor=finance, reason="moving")
    assert services.balance_of(unit) == D("-300.00")
    assert_books_balance(unit)


def test_refunded_payment_reverses_only_what_is_left(unit, item, cashier, finance):
    payment = post(unit, cashier, "500.00", keep_credit=True)
    services.credit_refund(unit=unit, amount="500", method="cash", actor=finance)
    with pytest.raises(InvalidTransition):
        services.payment_reverse(payment=payment, actor=finance, reason="x")
    assert services.balance_of(unit) == 0


def test_fully_refunded_payment_is_not_offered_for_reversal(unit, item, cashier, finance):
    """The statement offers "reverse" only where the service would accept it."""
    payment = post(unit, cashier, "500.00", keep_credit=True)
    assert "reverse" in services.allowed_actions(payment, finance)
    services.credit_refund(unit=unit, amount="200", method="cash", actor=finance)
    payment.refresh_from_db()
    assert "reverse" in services.allowed_actions(payment, finance)  # ¥300 still to reverse
    services.credit_refund(unit=unit, amount="300", method="cash", actor=finance)
    payment.refresh_from_db()
    assert "reverse" not in services.allowed_actions(payment, finance)


def test_ledger_refuses_update_and_delete(billed_unit, cashier):
    post(billed_unit, cashier, "100.00")
    entry = LedgerEntry.objects.filter(unit=billed_unit).first()
    for sql in (
        "UPDATE fees_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM fees_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [entry.pk])
