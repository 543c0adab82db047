"""Move-out (撤租, docs/domain.md, "Front-desk services"): before a tenant's residency ends, the
fees are settled, keys and passes returned and the unit inspected; then the residency closes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit

USER = settings.AUTH_USER_MODEL


class MoveOut(models.Model):
    """One tenant's move-out and its checklist (each item with who and when)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Checklist open")
        DONE = "done", _("Moved out")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="move_outs", verbose_name=_("unit")
    )
    tenant = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="move_outs", verbose_name=_("tenant")
    )
    planned_on = models.DateField(_("moving out on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    keys_returned_at = models.DateTimeField(_("keys and passes returned at"), null=True, blank=True)
    keys_returned_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    keys_note = models.CharField(_("keys and passes"), max_length=200, blank=True)
    inspected_at = models.DateTimeField(_("unit inspected at"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspection_note = models.CharField(_("inspection findings"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("checklist completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("move-out")
        verbose_name_plural = _("move-outs")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(status="open"), name="move_out_one_open_per_tenant"
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(
                    keys_returned_at__isnull=False,
                    inspected_at__isnull=False,
                    completed_at__isnull=False,
                    moved_out_on__isnull=False,
                ),
                name="move_out_done_has_checklist",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit.code}"

    def get_absolute_url(self) -> str:
        return reverse("visits:move-out", args=[self.pk])

    @property
    def number(self) -> str:
        return f"CZ{self.pk:06d}" if self.pk else ""
