"""Renovation patrols (装修过程巡查): `renovation_patrols_per_day` slots a day within the estate's
seasonal patrol hours; each slot is one `Patrol` row, opened as due with a deadline row
(inspections.sla) and filled in by the patrol guard's checklist on a phone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inspections.models.renovations import Renovation
from propserv.models import EstateScopedQuerySet


class PatrolItem(models.TextChoices):
    """The patrol checklist (also the acceptance inspection's)."""

    EXTINGUISHER = "extinguisher", _("Fire extinguisher present")
    SCOPE = "scope", _("Work within the permitted scope")
    HOT_WORK = "hot_work", _("Hot work only by a certified operator with precautions")
    WORKING_HOURS = "working_hours", _("Working hours respected")
    LIFT_ROUTE = "lift_route", _("Freight lift and routes protected")
    DEBRIS = "debris", _("Debris bagged and moved in the debris window")
    CORRIDORS = "corridors", _("Corridors and fire escapes clear")
    DAMAGE = "damage", _("No damage to common parts")


class Verdict(models.TextChoices):
    OK = "ok", _("OK")
    FAIL = "fail", _("Violation")
    NA = "na", _("Not applicable")


class PatrolQuerySet(EstateScopedQuerySet):
    estate_field = "renovation__estate"


class Patrol(models.Model):
    """One due patrol of a renovation (a slot of a day) and, once done, its checklist."""

    class Slot(models.TextChoices):
        AM = "am", _("Morning")
        PM = "pm", _("Afternoon")
        P1 = "p1", _("Round 1")
        P2 = "p2", _("Round 2")
        P3 = "p3", _("Round 3")
        P4 = "p4", _("Round 4")

    renovation = models.ForeignKey(Renovation, on_delete=models.PROTECT, related_name="patrols")
    day = models.DateField(_("day"))
    slot = models.CharField(_("patrol"), max_length=4, choices=Slot.choices)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    done_at = models.DateTimeField(_("patrolled"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    items = models.JSONField(_("checklist"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["day", "window_start"]
        verbose_name = _("renovation patrol")
        verbose_name_plural = _("renovation patrols")
        constraints = [
            models.UniqueConstraint(
                fields=["renovation", "day", "slot"], name="patrol_one_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.renovation} {self.day} {self.get_slot_display()}"

    def get_absolute_url(self) -> str:
        return self.renovation.get_absolute_url()

    @property
    def failed_items(self) -> list[str]:
        return [code for code, verdict in self.items.items() if verdict == Verdict.FAIL]

    def state(self, now) -> str:
        """done / due / missed / upcoming, as the supervisor's board shows it."""
        if self.done_at:
            return "done"
        if now >= self.window_end:
            return "missed"
        if now >= self.window_start:
            return "due"
        return "upcoming"


def photo_path(instance, filename: str) -> str:
    return f"renovations/patrols/{instance.patrol_id}/{filename}"


class PatrolPhoto(models.Model):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="photos")
    file = models.ImageField(_("photo"), upload_to=photo_path)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("patrol photo")
        verbose_name_plural = _("patrol photos")

    def __str__(self) -> str:
        return self.file.name
