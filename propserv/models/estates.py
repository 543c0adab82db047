"""Estates and what is in them: per-estate service settings, buildings, units, residents, and
the staff who work for each estate. Every module hangs its records off an Estate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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


class EstateSettings(models.Model):
    """Every number of docs/domain.md is a per-estate default; the modules read them from here."""

    estate = models.OneToOneField(
        Estate, on_delete=models.CASCADE, primary_key=True, related_name="settings_row"
    )
    # Repairs and the deadline engine (docs/domain.md, "Repairs")
    urgent_arrival_minutes = models.PositiveIntegerField(
        _("urgent repair: arrival within (minutes)"), default=15
    )
    normal_arrival_minutes = models.PositiveIntegerField(
        _("other repair: arrival within (minutes)"), default=30
    )
    general_repair_hours = models.PositiveIntegerField(
        _("general repair: complete within (hours)"), default=2
    )
    difficult_repair_hours = models.PositiveIntegerField(
        _("difficult repair: complete within (hours)"), default=72
    )
    repair_callback_hours = models.PositiveIntegerField(
        _("repair callback within (hours)"), default=48
    )
    deadline_warn_percent = models.PositiveSmallIntegerField(
        _("warn when this share of the time has elapsed (%)"),
        default=67,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    escalation_step_minutes = models.PositiveIntegerField(
        _("escalate to the next level after (minutes)"),
        default=30,
        help_text=_(
            "A breached deadline goes to the supervisor at once, then to the project "
            "manager when still unmet after this long."
        ),
    )
    # Complaints and callbacks (docs/domain.md, "Complaints", "Callbacks")
    complaint_reply_working_days = models.PositiveSmallIntegerField(
        _("complaint reply within (working days)"), default=4
    )
    important_report_minutes = models.PositiveIntegerField(
        _("important complaint: report up within (minutes)"), default=60
    )
    major_handle_days = models.PositiveSmallIntegerField(
        _("major complaint: answer within (days)"), default=2
    )
    important_handle_days = models.PositiveSmallIntegerField(
        _("important complaint: handle within (days)"), default=3
    )
    minor_handle_days = models.PositiveSmallIntegerField(
        _("minor complaint: handle within (days)"), default=2
    )
    invalid_reply_days = models.PositiveSmallIntegerField(
        _("invalid complaint: reply within (days)"), default=3
    )
    complaint_callback_days = models.PositiveSmallIntegerField(
        _("complaint callback within (days)"), default=3
    )
    complaint_upgrade_days = models.PositiveSmallIntegerField(
        _("open complaint becomes major after (days)"), default=30
    )
    monthly_report_day = models.PositiveSmallIntegerField(
        _("monthly complaint summary by day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    repeat_complaint_count = models.PositiveSmallIntegerField(
        _("repeat complaint: same matter this many times"), default=2
    )
    repeat_repair_count = models.PositiveSmallIntegerField(
        _("repeat repair: same unit and category this many times"), default=3
    )
    repeat_window_days = models.PositiveSmallIntegerField(_("repeat window (days)"), default=30)
    calling_hours_start = models.TimeField(_("calls to residents from"), default=dt.time(8, 0))
    calling_hours_end = models.TimeField(_("calls to residents until"), default=dt.time(21, 0))
    quiet_start = models.TimeField(_("lunch break: no calls from"), default=dt.time(12, 0))
    quiet_end = models.TimeField(_("lunch break: no calls until"), default=dt.time(14, 0))
    satisfaction_target_percent = models.PositiveSmallIntegerField(
        _("satisfaction target (%)"), default=95
    )
    effective_complaint_target_permille = models.PositiveSmallIntegerField(
        _("effective-complaint rate target (‰ of households)"), default=10
    )
    # Reception and notices (docs/domain.md, "Reception")
    handover_ack_minutes = models.PositiveIntegerField(
        _("shift handover: acknowledge within (minutes)"), default=30
    )
    emergency_notice_minutes = models.PositiveIntegerField(
        _("emergency notice: post within (minutes)"), default=30
    )
    # Keys (docs/domain.md, "Keys")
    key_loan_max_days = models.PositiveSmallIntegerField(
        _("key loan: longest without supervisor approval (days)"), default=3
    )
    key_overdue_escalate_days = models.PositiveSmallIntegerField(
        _("overdue key loan: to supervisor after (days)"), default=3
    )
    vacant_report_day = models.PositiveSmallIntegerField(
        _("vacant-unit monthly report by day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Fees (docs/domain.md, "Fees")
    fee_due_day = models.PositiveSmallIntegerField(
        _("monthly fee due by day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    arrears_notice_months = models.PositiveSmallIntegerField(
        _("public arrears notice after (months)"), default=6
    )
    # Renovation (docs/domain.md, "Renovation")
    renovation_patrols_per_day = models.PositiveSmallIntegerField(
        _("renovation patrols per day"), default=2
    )
    summer_from_month = models.PositiveSmallIntegerField(
        _("summer patrol hours from month"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    summer_to_month = models.PositiveSmallIntegerField(
        _("summer patrol hours to month"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    summer_patrol_start = models.TimeField(_("summer patrol hours from"), default=dt.time(7, 0))
    summer_patrol_end = models.TimeField(_("summer patrol hours until"), default=dt.time(21, 0))
    winter_patrol_start = models.TimeField(_("winter patrol hours from"), default=dt.time(8, 0))
    winter_patrol_end = models.TimeField(_("winter patrol hours until"), default=dt.time(22, 0))
    debris_window_start = models.TimeField(_("debris removal from"), default=dt.time(16, 0))
    debris_window_end = models.TimeField(_("debris removal until"), default=dt.time(18, 0))
    renovation_work_start = models.TimeField(_("renovation work from"), default=dt.time(8, 0))
    renovation_break_start = models.TimeField(
        _("residential renovation: midday break from"), default=dt.time(12, 0)
    )
    renovation_break_end = models.TimeField(
        _("residential renovation: midday break until"), default=dt.time(14, 0)
    )
    residential_work_end = models.TimeField(
        _("residential renovation work until"), default=dt.time(17, 0)
    )
    commercial_work_end = models.TimeField(
        _("commercial renovation work until (workers leave)"), default=dt.time(19, 0)
    )
    # Hand-over (docs/domain.md, "Hand-over and move-in")
    new_owner_visit_days = models.PositiveSmallIntegerField(
        _("visit new owners within (days)"), default=3
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("estate service settings")
        verbose_name_plural = _("estate service settings")

    def __str__(self) -> str:
        return str(_("Settings of %(estate)s") % {"estate": self.estate})


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
