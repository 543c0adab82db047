"""Goods release slips (物品放行条): anyone carrying goods out of the estate — renovation or not —
gets a slip from the office; the gate scans its QR code and lets it through once, on its day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet, Unit

USER = settings.AUTH_USER_MODEL


class GoodsRelease(models.Model):
    class Carrier(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        CONTRACTOR = "contractor", _("Contractor")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="goods_releases")
    number = models.CharField(_("slip number"), max_length=24, unique=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="goods_releases", verbose_name=_("unit")
    )
    carrier_kind = models.CharField(_("carried by"), max_length=16, choices=Carrier.choices)
    carrier_name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    goods = models.CharField(_("goods"), max_length=200)
    quantity = models.PositiveIntegerField(_("how many"))
    vehicle = models.CharField(_("vehicle"), max_length=20, blank=True)
    valid_on = models.DateField(_("valid on"))
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(_("let through"), null=True, blank=True)
    used_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("goods release slip")
        verbose_name_plural = _("goods release slips")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("inspections:release", args=[self.pk])
