"""The reference data of repairs each estate keeps: its repair categories and its published price
list (docs/domain.md, Repairs; kept in the admin, listed by the API)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet


class RepairCategory(models.Model):
    """The per-estate repair taxonomy. `urgent` marks the water/electricity/gas emergencies and
    major incidents that get the short arrival deadline."""

    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        related_name="repair_categories",
        verbose_name=_("estate"),
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    urgent = models.BooleanField(
        _("urgent (water, electricity, gas, major incident)"), default=False
    )
    major_incident = models.BooleanField(_("major incident (report up at once)"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "sort_order", "name"]
        verbose_name = _("repair category")
        verbose_name_plural = _("repair categories")
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="repair_category_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PriceItem(models.Model):
    """The published price list (明码标价) for paid repairs and special services."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="price_items", verbose_name=_("estate")
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("item"), max_length=100)
    unit_label = models.CharField(_("per"), max_length=16, default="次")
    price = models.DecimalField(_("price (¥)"), max_digits=10, decimal_places=2)
    active = models.BooleanField(_("in use"), default=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "code"]
        verbose_name = _("price-list item")
        verbose_name_plural = _("price list")
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="price_item_code_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ¥{self.price}/{self.unit_label}"
