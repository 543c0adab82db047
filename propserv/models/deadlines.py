"""Deadlines: every promise with a clock is a row (docs/architecture.md, "Deadlines")."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from propserv.deadline_rules import deadline_state
from propserv.models.estates import Estate, estate_ids_of
from propserv.registry import registry


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)

    def for_subject(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def for_model(self, model):
        """Deadlines of any `model` subject (narrow further with object_id__in=…)."""
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(estate__in=estate_ids_of(user))


class Deadline(models.Model):
    """A promise with a clock, owned by any record (a repair, a complaint, a key loan…).

    The row is the source of truth; the Celery beat sweep (propserv.deadlines.sweep) reads rows
    whose `next_check_at` has passed through a partial index and moves them on: warning, breach,
    escalation levels. `kind` names the DeadlinePolicy that decides who hears about it.
    """

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="deadlines")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=48)
    started_at = models.DateTimeField(_("counts from"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    max_escalation_level = models.PositiveSmallIntegerField(default=2)
    escalation_step = models.DurationField(default=dt.timedelta(minutes=30))
    # When the sweep must look at this row next; NULL once nothing more can happen.
    next_check_at = models.DateTimeField(null=True, blank=True)
    # Working-day deadlines that count over a provisional calendar year say so.
    working_days = models.BooleanField(default=False)
    provisional = models.BooleanField(_("provisional calendar"), default=False)
    # The inputs of the rule that computed due_at, so a policy or calendar change can recompute it.
    rule = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="deadline_sweep",
            ),
            models.Index(fields=["content_type", "object_id"], name="deadline_subject"),
            # The managers' dashboard: an estate's clocks of a kind by start, read index-only
            # (the period's clocks aggregated per record) ...
            models.Index(
                fields=["estate", "kind", "started_at"],
                include=["object_id", "due_at", "met_at", "cancelled_at"],
                name="deadline_dashboard",
            ),
            # ... and its open clocks by due time (the "right now" card).
            models.Index(
                fields=["estate", "due_at"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_open_by_estate",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("started_at")), name="deadline_due_after_start"
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def label(self) -> str:
        """What staff call this clock (from the policy registered for its kind)."""
        policy = registry.deadline_policies.get(self.kind)
        return str(policy.label if policy is not None and policy.label else self.kind)

    def state(self, now: dt.datetime) -> str:
        """green / amber / red / met / met-late / cancelled, as the boards colour it."""
        return deadline_state(
            now=now,
            due_at=self.due_at,
            warn_at=self.warn_at,
            warned_at=self.warned_at,
            met_at=self.met_at,
            breached_at=self.breached_at,
            cancelled_at=self.cancelled_at,
        )


class DeadlineEscalation(models.Model):
    """One row per (deadline, level): level 0 is the warning, 1.. the breach escalations.

    The unique constraint is what makes a second sweep, a second beat or a redelivered task harmless:
    only the transaction that inserts the row sends the notifications for it.
    """

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    notified = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["deadline", "level"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "level"], name="deadline_level_once")
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} level {self.level}"
