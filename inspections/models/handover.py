"""The unit hand-over record: the key cabinet issues move-in keys only once a unit's hand-over
to its owner is recorded (docs/domain.md, "Hand-over and move-in"; the gate is registered in
apps.py). The move-in flow (models/movein.py) records it when the owner accepts the unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propserv.models import EstateScopedQuerySet, Resident, Unit


class UnitHandoverQuerySet(EstateScopedQuerySet):
    estate_field = "unit__estate"


class UnitHandover(models.Model):
    """The unit was handed over to its owner (入伙交房). One per unit; it is never deleted."""

    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="handover", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("owner")
    )
    handed_over_at = models.DateTimeField(_("handed over at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Recorded by the move-in flow: the owner's accepted appointment, and the reason given when
    # the unit was accepted although a blocking problem was still open.
    appointment = models.OneToOneField(
        "inspections.MoveInAppointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover",
        verbose_name=_("move-in appointment"),
    )
    override_reason = models.TextField(_("accepted despite blocking problems because"), blank=True)

    objects = UnitHandoverQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_over_at"]
        verbose_name = _("unit hand-over")
        verbose_name_plural = _("unit hand-overs")

    def __str__(self) -> str:
        return f"{self.unit.code} → {self.owner.name}"
