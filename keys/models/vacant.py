"""Vacant units (空置房) whose keys the office holds: the monthly inspection plan."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keys.models.common import USER
from propserv.models import Estate, EstateScopedQuerySet, Unit


class VacantInspection(models.Model):
    """One planned inspection of a vacant unit whose key we hold, in a given month."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="vacant_inspections")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    planned_on = models.DateField(_("planned on"))
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspected by"),
    )
    clean = models.BooleanField(_("clean"), null=True)
    facilities_ok = models.BooleanField(_("facilities intact"), null=True)
    problem = models.CharField(_("problem found"), max_length=300, blank=True)
    referred_to = models.CharField(_("passed to department"), max_length=64, blank=True)
    resolved_at = models.DateTimeField(_("problem resolved at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "unit__code"]
        verbose_name = _("vacant-unit inspection")
        verbose_name_plural = _("vacant-unit inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"], name="vacant_inspection_once_a_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="vacant_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.month:%Y-%m}"

    @property
    def has_problem(self) -> bool:
        return bool(self.problem)
