"""Charges on a unit's account, the billing runs that issue them and the periods closed to new
runs (docs/domain.md, "Fees").

A recurring charge exists once per (unit, item, period); a paid repair once per repair. `paid`
is what allocations of live payments cover; it never exceeds the amount (a CHECK constraint).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fees.models.common import money_field
from fees.models.tariffs import ChargeItem, Tariff
from propserv.models import Estate, EstateScopedQuerySet, Unit
from tickets.models import Repair


class BillingRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="billing_runs")
    period = models.DateField(_("period"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    units_total = models.PositiveIntegerField(default=0)
    units_done = models.PositiveIntegerField(default=0)
    charges_issued = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")

    def __str__(self) -> str:
        return f"{self.estate_id} {self.period:%Y-%m}"

    @property
    def percent(self) -> int:
        return (
            100 if not self.units_total else min(100, int(100 * self.units_done / self.units_total))
        )


class ClosedPeriod(models.Model):
    """A billing period closed by finance: no run may bill it any more."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["estate", "period"], name="fees_closed_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.period:%Y-%m}"


class ChargeQuerySet(EstateScopedQuerySet):
    def open(self):
        return self.filter(cancelled_at__isnull=True, paid__lt=F("amount"))


class Charge(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="charges", verbose_name=_("unit")
    )
    item = models.ForeignKey(
        ChargeItem, on_delete=models.PROTECT, related_name="charges", verbose_name=_("item")
    )
    period = models.DateField(_("period"))
    # Months the charge covers from `period`: 1, or 6 for a half-year bill.
    months = models.PositiveSmallIntegerField(_("months covered"), default=1)
    due_on = models.DateField(_("due on"))
    amount = money_field(_("amount (¥)"))
    paid = money_field(_("paid (¥)"), default=0)
    description = models.CharField(_("description"), max_length=200, blank=True)
    tariff = models.ForeignKey(
        Tariff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repair = models.OneToOneField(
        Repair, null=True, blank=True, on_delete=models.PROTECT, related_name="fee_charge"
    )
    run = models.ForeignKey(
        BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "due_on", "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        indexes = [
            # The ageing query reads only open charges, per estate and unit.
            # In (estate, unit, period) order: the per-unit aggregate needs no sort, its
            # distinct periods come sorted; everything it reads is in the index.
            models.Index(
                fields=["estate", "unit", "period"],
                include=["due_on", "amount", "paid", "months", "run"],
                condition=Q(cancelled_at__isnull=True) & Q(paid__lt=F("amount")),
                name="fees_charge_open",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "item", "period"],
                condition=Q(repair__isnull=True) & Q(run__isnull=False),
                name="fees_charge_once_per_period",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fees_charge_amount_positive"),
            models.CheckConstraint(
                condition=Q(months__in=[1, 6]), name="fees_charge_months_one_or_six"
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=F("amount")),
                name="fees_charge_paid_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.item} {self.period:%Y-%m} ¥{self.amount}"

    @property
    def open_amount(self):
        return self.amount - self.paid
