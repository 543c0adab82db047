"""The gate and the lobby (docs/domain.md, Reception): visitors registered once the host agrees
(访客登记), the office tenant directory of a commercial estate (租户名录: company → floor and
unit) and the register of documents and parcels left for residents (代收代送登记)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet, Unit
from propserv.phones import phone_validator

USER = settings.AUTH_USER_MODEL


class OfficeTenant(models.Model):
    """A line of the lobby's tenant directory: a company and where it is."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    company = models.CharField(_("company"), max_length=100)
    floor = models.SmallIntegerField(_("floor"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="office_tenants", verbose_name=_("unit")
    )
    reception_phone = models.CharField(
        _("company's reception phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    active = models.BooleanField(_("in the building"), default=True)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["company", "id"]
        verbose_name = _("office tenant")
        verbose_name_plural = _("tenant directory")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "company"],
                condition=Q(active=True),
                name="office_tenant_company_once",
            )
        ]

    def __str__(self) -> str:
        return self.company


class GateVisitor(models.Model):
    """访客登记: an outside visitor, admitted once the host was called and agreed."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("visitor"), max_length=64)
    id_last4 = models.CharField(_("ID card, last 4"), max_length=4, blank=True)
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gate_visitors",
        verbose_name=_("unit"),
    )
    company = models.ForeignKey(
        OfficeTenant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visitors",
        verbose_name=_("company"),
    )
    host_name = models.CharField(_("host"), max_length=64)
    host_agreed = models.BooleanField(_("host called and agreed"))
    arrived_at = models.DateTimeField(_("in"))
    left_at = models.DateTimeField(pgettext_lazy("gate", "out"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived_at", "-id"]
        verbose_name = _("visitor")
        verbose_name_plural = _("visitor register")
        constraints = [
            models.CheckConstraint(condition=Q(host_agreed=True), name="gate_visitor_host_agreed"),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(company__isnull=False),
                name="gate_visitor_has_destination",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("arrived_at")),
                name="gate_visitor_leaves_after_arriving",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        return f"FK{self.pk:06d}" if self.pk else ""

    @property
    def destination(self) -> str:
        return self.company.company if self.company_id else self.unit.code


class Parcel(models.Model):
    """代收代送登记: a document or parcel left at the desk for a resident or company."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document or letter")
        PARCEL = "parcel", _("Parcel")

    class Status(models.TextChoices):
        HELD = "held", _("Held at the desk")
        FORWARDED = "forwarded", _("Forwarded")
        COLLECTED = "collected", _("Collected")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("what was left"), max_length=200)
    for_name = models.CharField(_("for"), max_length=64)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parcels",
        verbose_name=_("unit"),
    )
    company = models.ForeignKey(
        OfficeTenant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parcels",
        verbose_name=_("company"),
    )
    left_by = models.CharField(_("left by"), max_length=64)
    logged_at = models.DateTimeField(_("logged at"))
    logged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.HELD
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=100, blank=True)
    forwarded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    collected_by_name = models.CharField(_("collected by"), max_length=64, blank=True)
    collected_recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-logged_at", "-id"]
        verbose_name = _("document or parcel")
        verbose_name_plural = _("documents and parcels")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="collected")
                | Q(collected_at__isnull=False) & ~Q(collected_by_name=""),
                name="parcel_collected_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(status="held")
                | Q(forwarded_at__isnull=False)
                | Q(collected_at__isnull=False),
                name="parcel_moved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"

    @property
    def number(self) -> str:
        return f"DS{self.pk:06d}" if self.pk else ""
