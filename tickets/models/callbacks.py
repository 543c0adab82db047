"""Callbacks (回访) owed to residents after repairs and complaints, and each attempt to reach them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet
from tickets.models.repairs import Repair


class Callback(models.Model):
    """A callback (回访) owed to a resident after a repair (and, later, a complaint)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To call")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="callbacks")
    repair = models.ForeignKey(
        Repair, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks_assigned",
        verbose_name=_("who calls"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due"))
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("resident's comment"), blank=True)
    confirmed_by_resident = models.BooleanField(_("resident confirmed the record"), default=False)
    completed_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("how"), max_length=16, default="phone")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="callback_satisfaction_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["repair"],
                condition=Q(status="pending"),
                name="callback_one_pending_per_repair",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Callback')} {self.repair or ''}"

    @property
    def dissatisfied(self) -> bool:
        return self.satisfaction is not None and self.satisfaction <= 2


class CallbackAttempt(models.Model):
    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    callback = models.ForeignKey(Callback, on_delete=models.PROTECT, related_name="attempts")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.outcome}"
