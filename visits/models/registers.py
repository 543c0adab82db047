"""The desk's registers: lost and found (物品招领登记) and the incident record (突发事件记录)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet
from propserv.phones import phone_validator

USER = settings.AUTH_USER_MODEL


class LostItem(models.Model):
    """物品招领登记: found property held at the desk until its owner collects it."""

    class Status(models.TextChoices):
        HELD = "held", _("Held at the desk")
        RETURNED = "returned", _("Returned to its owner")
        DISPOSED = "disposed", _("Handed on / disposed of")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="lost_items")
    description = models.CharField(_("found item"), max_length=200)
    found_at = models.DateTimeField(_("found at"))
    found_where = models.CharField(_("found where"), max_length=200)
    found_by = models.CharField(_("found by"), max_length=64)
    kept_where = models.CharField(_("kept where"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.HELD
    )
    claimant_name = models.CharField(_("collected by"), max_length=64, blank=True)
    claimant_phone = models.CharField(
        _("collector's phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    claimant_proof = models.CharField(_("how ownership was checked"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.CharField(_("note"), max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("lost-and-found item")
        verbose_name_plural = _("lost and found")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="held", closed_at__isnull=True)
                | ~Q(status="held") & Q(closed_at__isnull=False),
                name="lost_item_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(claimant_name=""),
                name="lost_item_returned_to_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"

    @property
    def number(self) -> str:
        return f"SW{self.pk:06d}" if self.pk else ""


class Incident(models.Model):
    """突发事件记录: major security incidents, equipment events and official visits."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("Fire")
        LIFT_TRAPPED = "lift_trapped", _("People trapped in a lift")
        EXPLOSION = "explosion", _("Explosion")
        POWER_CUT = "power_cut", _("Sudden power cut")
        FLOODING = "flooding", _("Flooding")
        THEFT = "theft", _("Theft or vandalism")
        CRIME = "crime", _("Criminal case")
        COLLECTIVE_COMPLAINT = "collective_complaint", _("Collective complaint")
        PLANT_FAILURE = "plant_failure", _("Main plant failure")
        STRUCTURE = "structure", _("Damage to the building structure")
        OFFICIAL_VISIT = "official_visit", _("Official visit")
        OTHER = "other", _("Other major event")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("happened at"))
    location = models.CharField(_("where"), max_length=200)
    description = models.TextField(_("what happened"), max_length=4000)
    actions_taken = models.TextField(_("actions taken"), max_length=4000, blank=True)
    plan_activated = models.BooleanField(_("emergency plan activated"), default=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), max_length=4000, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incident record")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(outcome=""),
                name="incident_closed_has_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()} {self.location}"

    def get_absolute_url(self) -> str:
        return reverse("visits:incident", args=[self.pk])

    @property
    def number(self) -> str:
        return f"SJ{self.pk:06d}" if self.pk else ""
