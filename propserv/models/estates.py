"""Estates and what is in them: per-estate service settings, buildings, units, residents, and
the staff who work for each estate. Every module hangs its records off an Estate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from propserv.models.estate_settings import EstateSettings
from propserv.phones import mask_phone, phone_validator


class EstateQuerySet(models.QuerySet):
    def for_user(self, user) -> EstateQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(staff__user=user)


class Estate(models.Model):
    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")
        MIXED = "mixed", _("Mixed")

    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short code used in links and imports, e.g. CUIHU."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.RESIDENTIAL
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    service_phone = models.CharField(_("service-centre phone"), max_length=20, blank=True)
    emergency_phone = models.CharField(_("24-hour emergency phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def service_settings(self) -> EstateSettings:
        """The estate's settings, created with the defaults of docs/domain.md on first use (read once per
        Estate instance, i.e. once per request or task; no query at all after
        select_related("settings_row"))."""
        try:
            return self.settings_row
        except EstateSettings.DoesNotExist:
            obj, _created = EstateSettings.objects.get_or_create(estate=self)
            return obj


class EstateScopedQuerySet(models.QuerySet):
    """Rows of the estates a user works for; a stranger's row simply is not there (404)."""

    estate_field = "estate"

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(**{f"{self.estate_field}__in": estate_ids_of(user)})


def estate_ids_of(user) -> list[int]:
    """The ids of the estates a staff member works for. A plain id list keeps every scoped query
    free of joins through the staff tables (those joins cost more to plan than to run). Read once
    per user object, i.e. once per request, however many rows a page checks (roles.user_roles
    does the same; the API's token authentication fills both in its one query)."""
    remembered = getattr(user, "_propserv_estate_ids", None)  # see roles.remember_scope
    if remembered is None:
        remembered = list(
            StaffProfile.estates.through.objects.filter(staffprofile__user_id=user.pk).values_list(
                "estate_id", flat=True
            )
        )
        user._propserv_estate_ids = remembered
    return remembered


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate")
    )
    code = models.CharField(_("building number"), max_length=16)
    name = models.CharField(_("name"), max_length=100, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "code"], name="building_code_unique_per_estate"
            )
        ]

    def __str__(self) -> str:
        return self.name or str(_("Building %(code)s") % {"code": self.code})


class Unit(models.Model):
    class Use(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")

    class Status(models.TextChoices):
        VACANT = "vacant", _("Vacant")
        SOLD = "sold", _("Sold, not moved in")
        OCCUPIED = "occupied", _("Occupied")
        RENOVATING = "renovating", _("Renovating")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="units", verbose_name=_("estate")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    code = models.CharField(
        _("unit code"), max_length=32, help_text=_("Building-entrance-room, e.g. 3-2-1502.")
    )
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=9, decimal_places=2)
    use = models.CharField(_("use"), max_length=16, choices=Use.choices, default=Use.RESIDENTIAL)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.VACANT
    )

    objects = EstateScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["estate", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="unit_code_unique_per_estate"),
            models.CheckConstraint(
                condition=Q(area_m2__gt=Decimal("0")), name="unit_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def in_estate(cls, estate, code: str) -> Unit | None:
        """The unit of `estate` with this code (as typed: surrounding spaces ignored), or None.
        Ordered by pk: .first() would otherwise sort by the model's ordering (estate name, code),
        joining the estate for a lookup that finds one row at most."""
        code = code.strip()
        return cls.objects.filter(estate=estate, code=code).order_by("pk").first() if code else None


class ResidentQuerySet(EstateScopedQuerySet):
    def current(self, on: dt.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=on))


class Resident(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        TENANT = "tenant", _("Tenant")
        FAMILY = "family", _("Family member")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="residents", verbose_name=_("estate")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="residents", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    phone_invalid = models.BooleanField(_("phone number known to be wrong"), default=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OWNER)
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)

    objects = ResidentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [
            models.Index(fields=["estate", "phone"]),
            models.Index(fields=["estate", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True)
                | Q(moved_in_on__isnull=True)
                | Q(moved_out_on__gte=models.F("moved_in_on")),
                name="resident_moves_out_after_moving_in",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.code})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    estates = models.ManyToManyField(
        Estate, related_name="staff", blank=True, verbose_name=_("works for estates")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
