"""The shift handover log (交接班记录, docs/domain.md, Reception): open entries change owner only
when the next shift acknowledges them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet
from visits.models.reception import Visit

USER = settings.AUTH_USER_MODEL


class Handover(models.Model):
    """The shift handover log: the open entries owned by the outgoing shift, until the next shift
    acknowledges them (and so becomes their owner)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="handovers")
    handed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    members = models.ManyToManyField(
        USER, related_name="+", verbose_name=_("outgoing shift"), blank=True
    )
    # The next shift's named people (desk roles): they are told, and one of them acknowledges.
    recipients = models.ManyToManyField(
        USER, related_name="+", verbose_name=_("handed over to"), blank=True
    )
    handed_at = models.DateTimeField(pgettext_lazy("shift", "handed over at"))
    note = models.TextField(_("shift notes"), max_length=2000, blank=True)
    acknowledged_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_at", "-id"]
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="handover_ack_has_who_and_when",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Handover')} {self.handed_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("visits:handover", args=[self.pk])

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class HandoverItem(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="items")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="handover_items")
    from_owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit__received_at"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "visit"], name="handover_item_once"),
            # An entry waits in at most one unacknowledged handover.
            models.UniqueConstraint(
                fields=["visit"],
                condition=Q(acknowledged_at__isnull=True),
                name="handover_item_one_pending_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}: {self.visit_id}"
