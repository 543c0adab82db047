"""Arrears follow-up: the reminder log and the public arrears notice (docs/domain.md, "Fees").
The notice keeps its lines as written when prepared (unit codes and amounts only: no names, no
phones) and gets its number when the project manager approves it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet, Unit


class Reminder(models.Model):
    class Way(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="fee_reminders")
    way = models.CharField(_("how"), max_length=16, choices=Way.choices)
    outcome = models.CharField(_("outcome"), max_length=200)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_on = models.DateField(_("next reminder on"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("arrears reminder")
        verbose_name_plural = _("arrears reminders")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_way_display()} {self.at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("fees:statement", args=[self.unit_id])


class ArrearsNotice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    as_of = models.DateField(_("as of"))
    min_months = models.PositiveSmallIntegerField(_("months behind at least"))
    # [{"unit": code, "months": n, "amount": "123.45"}], as prepared.
    lines = models.JSONField(default=list)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-prepared_at", "-id"]
        verbose_name = _("arrears notice")
        verbose_name_plural = _("arrears notices")
        constraints = [
            models.UniqueConstraint(fields=["estate", "year", "seq"], name="fees_notice_number"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.as_of}"

    @property
    def number(self) -> str:
        return f"{self.estate.code}-QF-{self.year}-{self.seq:03d}" if self.seq else ""
