"""Common-area patrols (公共区域巡查, docs/domain.md, "Common-area patrol"): the area
administrators' morning and afternoon rounds, each a checklist of the estate's places filled in
on a phone. A round is opened by the day's task with a deadline row (visits.sla): a round not
recorded by `common_patrol_morning_by` / `common_patrol_afternoon_by` is flagged once. Each
problem found becomes a repair or an information-relay item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet
from tickets.models import Repair
from visits.models.relay import RelayItem

USER = settings.AUTH_USER_MODEL


class PatrolPlace(models.Model):
    """One line of the estate's patrol checklist: a place and what to look at there."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate")
    )
    name = models.CharField(_("place"), max_length=100)
    look_at = models.CharField(_("what to check"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("on the checklist"), default=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "order", "id"]
        verbose_name = _("patrol checklist place")
        verbose_name_plural = _("patrol checklist")
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="patrol_place_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CommonPatrol(models.Model):
    """One round of a day (morning or afternoon) and, once done, its checklist."""

    class Slot(models.TextChoices):
        AM = "am", _("Morning round")
        PM = "pm", _("Afternoon round")

    class Result(models.TextChoices):
        OK = "ok", _("OK")
        REPAIR = "repair", _("Problem: repair")
        RELAY = "relay", _("Problem: to a department")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate")
    )
    day = models.DateField(_("day"))
    slot = models.CharField(_("which round"), max_length=2, choices=Slot.choices)
    due_at = models.DateTimeField(_("round due by"))
    done_at = models.DateTimeField(_("patrolled at"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("patrolled by"),
    )
    # {place id: Result} as recorded
    results = models.JSONField(_("checklist"), default=dict, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "slot"]
        verbose_name = _("common-area patrol")
        verbose_name_plural = _("common-area patrols")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "day", "slot"], name="common_patrol_one_per_round"
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_by__isnull=False),
                name="common_patrol_done_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_slot_display()}"

    def get_absolute_url(self) -> str:
        return reverse("visits:patrol", args=[self.pk])

    def state(self, now) -> str:
        if self.done_at:
            return "done"
        return "missed" if now >= self.due_at else "due"


class CommonPatrolProblem(models.Model):
    """A problem found on a round, and the repair or relay item it became."""

    patrol = models.ForeignKey(CommonPatrol, on_delete=models.PROTECT, related_name="problems")
    place = models.ForeignKey(
        PatrolPlace, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    description = models.CharField(_("problem"), max_length=500)
    repair = models.ForeignKey(
        Repair,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("repair"),
    )
    relay = models.OneToOneField(
        RelayItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_problem",
        verbose_name=_("relay item"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("patrol problem")
        verbose_name_plural = _("patrol problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(repair__isnull=False, relay__isnull=True)
                | Q(repair__isnull=True, relay__isnull=False),
                name="patrol_problem_repair_or_relay",
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.description[:40]}"
