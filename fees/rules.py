"""Pure fee arithmetic (docs/domain.md, "Fees"): no ORM, dates and amounts passed in.

Money is Decimal, rounded half-up to the cent; an apportioned amount is split so the parts add
up to the whole to the cent (largest remainder).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
# Ageing buckets: (key, first day overdue, last day overdue or None).
BUCKETS = (
    ("current", None, 0),
    ("d1_30", 1, 30),
    ("d31_90", 31, 90),
    ("d91_180", 91, 180),
    ("d181", 181, None),
)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_amount(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A money amount as typed: positive, whole cents, within Decimal(12, 2)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 125.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 125.50.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise ValidationError({field: _("The amount cannot have fractions of a cent.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return amount.quantize(CENT)


def period_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(period: dt.date, months: int) -> dt.date:
    index = period.year * 12 + period.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def cycle_start(day: dt.date, cycle_months: int = 1) -> dt.date:
    """The first day of the billing period holding `day`: its month (monthly estates) or its
    half-year, January or July (estates billed twice a year)."""
    if cycle_months == 6:
        return dt.date(day.year, 1 if day.month <= 6 else 7, 1)
    return day.replace(day=1)


def due_on(period: dt.date, fee_due_day: int) -> dt.date:
    return period.replace(day=fee_due_day)


def area_amount(area_m2: Decimal, rate: Decimal) -> Decimal:
    return cents(area_m2 * rate)


def apportion(total: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """Split `total` over the keys by weight (floor area); the parts add up to `total` exactly:
    each gets its share rounded down to the cent, the cents left over go to the largest
    remainders (ties: the smaller key first)."""
    whole = sum(weights.values(), Decimal(0))
    if not weights or whole <= 0:
        return {}
    shares = {k: total * w / whole for k, w in weights.items()}
    parts = {k: s.quantize(CENT, rounding=ROUND_DOWN) for k, s in shares.items()}
    left = int((total - sum(parts.values(), Decimal(0))) / CENT)
    for key in sorted(shares, key=lambda k: (-(shares[k] - parts[k]), k))[:left]:
        parts[key] += CENT
    return parts


def allocation_plan(
    open_charges: Sequence[tuple[int, Decimal]], amount: Decimal, picked: Iterable[int] = ()
) -> tuple[list[tuple[int, Decimal]], Decimal]:
    """([(charge id, amount)], left over) for paying `amount` against `open_charges`
    ([(id, open amount)] oldest first): the picked charges first (in the given order), then the
    oldest; whatever no charge takes is left over (a credit)."""
    picked = list(picked)
    by_id = dict(open_charges)
    order = [c for c in picked if c in by_id] + [c for c, _ in open_charges if c not in picked]
    plan = []
    left = amount
    for charge_id in order:
        if left <= 0:
            break
        take = min(left, by_id[charge_id])
        if take > 0:
            plan.append((charge_id, take))
            left -= take
    return plan, left
