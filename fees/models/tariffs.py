"""What an estate charges for, and at which rate from when to when (docs/domain.md, "Fees").

A tariff's rate is valid over [valid_from, valid_to) (open-ended when valid_to is empty); two
rates of the same item and unit use never overlap (an exclusion constraint; the service says so
first, in words). A charge keeps the amount it was issued with: a new rate never changes it.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from propserv.models import Building, Estate, EstateScopedQuerySet, Unit


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class ChargeItem(models.Model):
    class Kind(models.TextChoices):
        AREA = "area", _("Per m² per month")
        FIXED = "fixed", _("Fixed monthly")
        APPORTIONED = "apportioned", _("Apportioned by floor area")
        ONE_OFF = "one_off", _("One-off service")
        REPAIR = "repair", _("Paid repair")

    RECURRING = (Kind.AREA, Kind.FIXED, Kind.APPORTIONED)

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="charge_items", verbose_name=_("estate")
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "code"]
        verbose_name = _("charge item")
        verbose_name_plural = _("charge items")
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="fees_item_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Tariff(models.Model):
    """The rate of an item: ¥/m²/month (area), ¥/month (fixed), the month's total to split
    over the building's units by floor area (apportioned), or the price (one-off)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        ChargeItem, on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("item")
    )
    # Area items: the unit use the rate is for; '' = every use.
    use = models.CharField(
        _("unit use"), max_length=16, choices=Unit.Use.choices, blank=True, default=""
    )
    # Apportioned items: the building whose units share the amount.
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("building")
    )
    rate = models.DecimalField(_("rate (¥)"), max_digits=12, decimal_places=4)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until (exclusive)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "use", "valid_from"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0), name="fees_tariff_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="fees_tariff_period_ordered",
            ),
            ExclusionConstraint(
                name="fees_tariff_no_overlap",
                expressions=[
                    ("item", RangeOperators.EQUAL),
                    ("use", RangeOperators.EQUAL),
                    (models.functions.Coalesce("building", -1), RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.rate} {self.valid_from}–{self.valid_to or '…'}"


class Subscription(models.Model):
    """A fixed monthly item a unit takes (a parking space …), from when to when."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="fee_subscriptions")
    item = models.ForeignKey(ChargeItem, on_delete=models.PROTECT, related_name="subscriptions")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (exclusive)"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="fees_subscription_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.item_id} × {self.quantity}"
