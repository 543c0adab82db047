"""Move-in (入伙, docs/domain.md, "Hand-over and move-in"): the plan with its batches, staffing,
risk pre-assessment and preparation checklist, and each owner's appointment from booking to
acceptance or refusal. A later arrival (零星入住) is an appointment without a batch."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fees.models import ChargeItem
from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit

USER = settings.AUTH_USER_MODEL


class MoveInPlan(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="move_in_plans", verbose_name=_("estate")
    )
    name = models.CharField(_("plan"), max_length=100)
    staffing = models.TextField(_("staffing"), blank=True)
    risks = models.TextField(_("risk pre-assessment"), blank=True)
    charge_items = models.ManyToManyField(
        ChargeItem, blank=True, related_name="+", verbose_name=_("move-in charges")
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("move-in plan")
        verbose_name_plural = _("move-in plans")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:movein-plan", args=[self.pk])


class PrepItem(models.Model):
    """One line of the preparation checklist, ticked with who and when."""

    plan = models.ForeignKey(MoveInPlan, on_delete=models.PROTECT, related_name="prep_items")
    text = models.CharField(_("preparation"), max_length=200)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("preparation item")
        verbose_name_plural = _("preparation items")

    def __str__(self) -> str:
        return self.text


class MoveInBatch(models.Model):
    plan = models.ForeignKey(MoveInPlan, on_delete=models.PROTECT, related_name="batches")
    name = models.CharField(_("batch"), max_length=64)
    day = models.DateField(_("day"))
    staffing = models.CharField(_("staff on duty"), max_length=200, blank=True)

    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("move-in batch")
        verbose_name_plural = _("move-in batches")

    def __str__(self) -> str:
        return f"{self.name} · {self.day:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:movein-board", args=[self.pk])


class AppointmentQuerySet(EstateScopedQuerySet):
    pass


class MoveInAppointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ARRIVED = "arrived", _("Arrived")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    OPEN = (Status.BOOKED, Status.ARRIVED)

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        MoveInBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("batch"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="move_in_appointments", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    day = models.DateField(_("day"))
    time = models.TimeField(_("time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.BOOKED
    )
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField(_("reasons for refusal"), blank=True)
    override_reason = models.TextField(_("reason to accept despite blocking problems"), blank=True)
    charges_billed_at = models.DateTimeField(_("charges billed at"), null=True, blank=True)
    welcome_visited_at = models.DateTimeField(_("welcome visit at"), null=True, blank=True)
    welcome_note = models.CharField(_("welcome visit note"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["day", "time", "unit__code", "id"]
        verbose_name = _("move-in appointment")
        verbose_name_plural = _("move-in appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=["booked", "arrived", "accepted"]),
                name="movein_one_live_appointment_per_unit",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reasons=""),
                name="movein_refusal_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.day:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:movein-appointment", args=[self.pk])
