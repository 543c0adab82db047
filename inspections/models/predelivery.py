"""Pre-hand-over inspection (内部验房, docs/domain.md, "Hand-over and move-in"): the estate's
defect taxonomy, inspection rounds per building and the unit's problem list. The owner's own
inspection on the move-in day adds to the same list (source "move_in")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Building, Estate, EstateScopedQuerySet, Unit

USER = settings.AUTH_USER_MODEL


class DefectType(models.Model):
    """One entry of the estate's defect taxonomy (walls, doors and windows, plumbing …)."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="defect_types", verbose_name=_("estate")
    )
    name = models.CharField(_("defect type"), max_length=64)
    active = models.BooleanField(_("active"), default=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "name"]
        verbose_name = _("defect type")
        verbose_name_plural = _("defect types")
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="defect_type_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class InspectionRound(models.Model):
    """One pass of the internal inspection over a building."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="inspection_rounds", verbose_name=_("estate")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    name = models.CharField(_("round"), max_length=64)
    started_on = models.DateField(_("started on"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")

    def __str__(self) -> str:
        return f"{self.building.code} · {self.name}"


def problem_photo_path(instance, filename: str) -> str:
    return f"handover/problems/{instance.unit_id}/{filename}"


class Problem(models.Model):
    """One problem on a unit's problem list, from the internal inspection or the owner's."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Internal inspection")
        MOVE_IN = "move_in", _("Owner's inspection at move-in")

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        BLOCKING = "blocking", _("Blocks hand-over")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FIXED = "fixed", _("Fixed, to re-check")
        CLOSED = "closed", _("Closed")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="problems", verbose_name=_("unit")
    )
    source = models.CharField(
        _("found in"), max_length=16, choices=Source.choices, default=Source.INSPECTION
    )
    round = models.ForeignKey(
        InspectionRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("round"),
    )
    appointment = models.ForeignKey(
        "inspections.MoveInAppointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("move-in appointment"),
    )
    location = models.CharField(_("room or location"), max_length=100)
    defect_type = models.ForeignKey(
        DefectType, on_delete=models.PROTECT, related_name="problems", verbose_name=_("defect type")
    )
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MINOR
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to=problem_photo_path, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(pgettext_lazy("problem", "found at"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.CharField(_("evidence of the fix"), max_length=500, blank=True)
    evidence_photo = models.ImageField(
        _("photo of the fix"), upload_to=problem_photo_path, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recheck_failures = models.PositiveSmallIntegerField(_("failed re-checks"), default=0)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "created_at", "id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["estate", "status"], name="handover_problem_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="handover_problem_closed_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit.code}"

    @property
    def number(self) -> str:
        return f"WT{self.pk:06d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED
