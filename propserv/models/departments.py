"""The estate's departments and who heads each one: complaints name the department complained
about, and the information relay routes a report to the head of the department that must act
(docs/domain.md, "Information relay")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from propserv.models.estates import EstateScopedQuerySet


class Department(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    ENGINEERING = "engineering", _("Engineering and repairs")
    SECURITY = "security", _("Security")
    CLEANING = "cleaning", _("Cleaning")
    LANDSCAPING = "landscaping", _("Landscaping")
    MANAGEMENT = "management", _("Management office")
    OTHER = "other", _("Other")


class DepartmentHead(models.Model):
    """Who heads a department in one estate. Changing the head is an edit kept in the history."""

    estate = models.ForeignKey(
        "propserv.Estate",
        on_delete=models.PROTECT,
        related_name="department_heads",
        verbose_name=_("estate"),
    )
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="departments_headed",
        verbose_name=_("department head"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = EstateScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["estate", "department"]
        verbose_name = _("department head")
        verbose_name_plural = _("department heads")
        constraints = [
            models.UniqueConstraint(fields=["estate", "department"], name="one_head_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.get_department_display()}: {self.head}"
