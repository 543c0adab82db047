"""Shared pieces of the fees models: money fields and the first day of a billing period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

CENT = Decimal("0.01")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """Every amount of money: Decimal(12, 2), never a float (docs/domain.md, "Fees")."""
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)
