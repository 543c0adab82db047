"""The cash desk's day: what a cashier took by method, the cash counted, and finance's close
(docs/domain.md, "Fees"). A day with a difference between the cash expected and counted closes
only with the difference explained."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fees.models.common import money_field
from propserv.models import Estate, EstateScopedQuerySet


class DayClose(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cashier"),
    )
    day = models.DateField(_("day"))
    # {"cash": "123.00", "wechat": …}: the day's takings by method as closed.
    takings = models.JSONField(default=dict)
    expected_cash = money_field(_("cash expected (¥)"))
    counted_cash = money_field(_("cash counted (¥)"))
    explanation = models.CharField(_("explanation of the difference"), max_length=200, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(pgettext_lazy("fees", "closed at"), auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "cashier"]
        verbose_name = _("cash-desk day")
        verbose_name_plural = _("cash-desk days")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "cashier", "day"], name="fees_day_close_once"
            ),
            models.CheckConstraint(
                condition=Q(counted_cash__gte=0), name="fees_day_counted_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(counted_cash=F("expected_cash")) | ~Q(explanation=""),
                name="fees_day_difference_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cashier_id} {self.day}"

    @property
    def difference(self):
        return self.counted_cash - self.expected_cash
