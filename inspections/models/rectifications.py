"""Rectification notices (整改通知单), their re-inspections, and the acceptance inspection at
completion (docs/domain.md, "Renovation"). A serious violation stops the work (the renovation's
status); a notice stays open through as many failed re-inspections as it takes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.models.patrols import Patrol, PatrolItem
from inspections.models.renovations import Renovation
from propserv.models import EstateScopedQuerySet

USER = settings.AUTH_USER_MODEL


class RectificationQuerySet(EstateScopedQuerySet):
    estate_field = "renovation__estate"

    def open(self):
        return self.filter(status=Rectification.Status.OPEN)


class Rectification(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("rectification", "Open")
        CLOSED = "closed", _("Rectified")

    renovation = models.ForeignKey(
        Renovation, on_delete=models.PROTECT, related_name="rectifications"
    )
    number = models.CharField(_("notice number"), max_length=32, unique=True)
    patrol = models.ForeignKey(
        Patrol, on_delete=models.PROTECT, null=True, blank=True, related_name="rectifications"
    )
    items = models.JSONField(_("violations"), default=list)
    description = models.TextField(_("what must be rectified"))
    serious = models.BooleanField(_("serious: stop work"), default=False)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("rectify by"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("rectified"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("inspections:notice", args=[self.pk])

    @property
    def item_labels(self) -> list[str]:
        return [str(PatrolItem(c).label) for c in self.items if c in PatrolItem.values]


class ReInspection(models.Model):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="reinspections"
    )
    at = models.DateTimeField(_("inspected"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("passed"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")

    def __str__(self) -> str:
        return f"{self.rectification} {self.at:%Y-%m-%d}"


class Acceptance(models.Model):
    """The acceptance inspection at completion: the patrol checklist, and the deductions from
    the deposit (damage to the route and common parts), itemised."""

    renovation = models.ForeignKey(Renovation, on_delete=models.PROTECT, related_name="acceptances")
    at = models.DateTimeField(_("inspected"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(_("checklist"), default=dict)
    passed = models.BooleanField(_("passed"))
    deductions = models.JSONField(_("deductions"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("acceptance inspection")
        verbose_name_plural = _("acceptance inspections")

    def __str__(self) -> str:
        return f"{self.renovation} {self.at:%Y-%m-%d}"
