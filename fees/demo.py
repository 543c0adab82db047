"""Demo fees for `make run` (docs/domain.md, "Fees"): the demo estate's tariffs (service fee by
unit use, parking, lift electricity of building 1), eight months of bills up to this month,
payments in every method, and units 1, 3 and 7 months behind (7 needs more than six months of
bills, hence eight). Idempotent: skipped once the service-fee item exists."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from fees import rules, services
from fees.models import Charge, ChargeItem, Method, Subscription, Tariff
from fees.services.billing import BILLED_STATUSES
from propserv.models import Unit

MONTHS = 8
BEHIND = (1, 3, 7)


def _items(estate, first: dt.date):
    service = ChargeItem.objects.create(
        estate=estate, code="service", name="物业服务费", kind="area"
    )
    Tariff.objects.create(
        estate=estate, item=service, use="residential", rate=Decimal("2.80"), valid_from=first
    )
    Tariff.objects.create(
        estate=estate, item=service, use="commercial", rate=Decimal("5.50"), valid_from=first
    )
    parking = ChargeItem.objects.create(
        estate=estate, code="parking", name="车位管理费", kind="fixed"
    )
    Tariff.objects.create(estate=estate, item=parking, rate=Decimal("150.00"), valid_from=first)
    lift = ChargeItem.objects.create(
        estate=estate, code="lift", name="电梯电费分摊", kind="apportioned"
    )
    ChargeItem.objects.create(estate=estate, code="clean", name="开荒保洁", kind="one_off")
    units = list(Unit.objects.filter(estate=estate, status__in=BILLED_STATUSES).order_by("code"))
    for unit in units[:: max(1, len(units) // 12)]:
        Subscription.objects.create(estate=estate, unit=unit, item=parking, starts_on=first)
    if units:
        Tariff.objects.create(
            estate=estate,
            item=lift,
            building=units[0].building,
            rate=Decimal("860.00"),
            valid_from=first,
        )
    return units


def seed(estate) -> None:
    actor = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if actor is None or ChargeItem.objects.filter(estate=estate, code="service").exists():
        return
    this_month = rules.period_of(timezone.localdate())
    periods = [rules.add_months(this_month, -n) for n in range(MONTHS - 1, -1, -1)]
    units = _items(estate, periods[0])
    for period in periods:
        run = services.billing_start(estate=estate, period=period, actor=actor)
        services.billing_issue(run=run, actor=actor)
    # Everyone has paid what fell due except the units behind on purpose; this month's bill,
    # when not due yet, is still open for everyone.
    today, due_day = timezone.localdate(), estate.service_settings.fee_due_day
    due = [p for p in periods if rules.due_on(p, due_day) < today]
    methods = itertools.cycle(Method.values)
    for n, unit in enumerate(units):
        behind = BEHIND[n] if n < len(BEHIND) else 0
        paid_periods = due[: len(due) - behind]
        for period in paid_periods[::2]:
            owed = Charge.objects.filter(
                unit=unit, period__in=[period, rules.add_months(period, 1)]
            )
            owed = owed.filter(period__in=paid_periods)
            amount = sum((c.amount for c in owed), Decimal(0))
            if amount <= 0:
                continue
            method = next(methods)
            at = timezone.make_aware(
                dt.datetime.combine(period.replace(day=8), dt.time(10, n % 50))
            )
            services.payment_post(
                unit=unit,
                amount=amount,
                method=method,
                actor=actor,
                at=at,
                reference="" if method == Method.CASH else f"DEMO{unit.pk}{period:%Y%m}",
            )
