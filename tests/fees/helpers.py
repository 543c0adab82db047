"""Builders of the fees tests: an estate's tariff, months of bills, the ledger cross-checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from fees import services
from fees.models import Allocation, Charge, ChargeItem, LedgerEntry, Payment, Tariff
from tests.factories import UnitFactory

D = Decimal


def service_item(estate, rate="2.50", valid_from=dt.date(2026, 1, 1)) -> ChargeItem:
    item = ChargeItem.objects.create(
        estate=estate, code="service", name="物业服务费", kind=ChargeItem.Kind.AREA
    )
    Tariff.objects.create(estate=estate, item=item, rate=D(rate), valid_from=valid_from)
    return item


def bill(estate, actor, *periods: dt.date):
    for period in periods:
        run = services.billing_start(estate=estate, period=period, actor=actor)
        services.billing_issue(run=run, actor=actor)


def months(first: dt.date, count: int) -> list[dt.date]:
    out, day = [], first
    for _ in range(count):
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    return out


def units(estate, n: int, building_code="1"):
    first = UnitFactory(
        building__estate=estate, building__code=building_code, code=f"{building_code}-1-101"
    )
    rest = [
        UnitFactory(building=first.building, code=f"{building_code}-1-{102 + i}")
        for i in range(n - 1)
    ]
    return [first, *rest]


def assert_books_balance(unit) -> None:
    """Every invariant of one account: balance = ledger sum = open charges − held credit;
    a live payment's allocations plus its credit make its amount; a charge's paid is what live
    allocations cover, never more than it."""
    ledger = LedgerEntry.objects.filter(unit=unit).aggregate(s=Sum("amount"))["s"] or D(0)
    charges = Charge.objects.filter(unit=unit, cancelled_at__isnull=True)
    owed = sum((c.amount - c.paid for c in charges), D(0))
    credit = sum(
        (p.unapplied for p in Payment.objects.filter(unit=unit, reversed_at__isnull=True)), D(0)
    )
    assert ledger == owed - credit, (ledger, owed, credit)
    assert services.balance_of(unit) == ledger
    for payment in Payment.objects.filter(unit=unit, reversed_at__isnull=True):
        allocated = payment.allocations.aggregate(s=Sum("amount"))["s"] or D(0)
        assert allocated + payment.unapplied + payment.refunded == payment.amount
    for charge in Charge.objects.filter(unit=unit):
        live = Allocation.objects.filter(
            charge=charge, payment__reversed_at__isnull=True
        ).aggregate(s=Sum("amount"))["s"] or D(0)
        assert live == charge.paid <= charge.amount
