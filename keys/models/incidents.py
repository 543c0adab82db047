"""A lost or damaged key: report → owner's consent → lock change."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models.cabinet import Key
from keys.models.common import USER
from propserv.models import Estate, EstateScopedQuerySet


class KeyIncident(models.Model):
    """A lost or damaged key: report → owner's consent → lock change → old key retired, new
    key registered."""

    class Kind(models.TextChoices):
        LOST = "lost", pgettext_lazy("keys", "Lost")
        DAMAGED = "damaged", pgettext_lazy("keys", "Damaged")

    class Status(models.TextChoices):
        REPORTED = "reported", pgettext_lazy("keys", "Reported, waiting for the owner's consent")
        CONSENTED = (
            "consented",
            pgettext_lazy("keys", "Owner consented, waiting for the lock change"),
        )
        CLOSED = "closed", pgettext_lazy("keys", "Lock changed, new key registered")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(Key, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    description = models.CharField(pgettext_lazy("keys", "what happened"), max_length=300)
    responsible_party = models.CharField(
        _("responsible party"),
        max_length=100,
        help_text=_("Who changes the lock and bears the cost, e.g. the borrower's company."),
    )
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("keys", "reported by"),
    )
    consent_by = models.CharField(_("consent given by"), max_length=64, blank=True)
    consent_how = models.CharField(_("how consent was given"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("consent at"), null=True, blank=True)
    lock_changed_by = models.CharField(_("lock changed by"), max_length=100, blank=True)
    lock_changed_at = models.DateTimeField(_("lock changed at"), null=True, blank=True)
    new_key = models.OneToOneField(
        Key,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new key"),
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("lost or damaged key")
        verbose_name_plural = _("lost or damaged keys")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(status="closed"), name="keyincident_one_open_per_key"
            ),
            models.CheckConstraint(
                condition=Q(status="reported") | Q(consent_at__isnull=False) & ~Q(consent_by=""),
                name="keyincident_consent_before_lock_change",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | Q(lock_changed_at__isnull=False, new_key__isnull=False),
                name="keyincident_closed_has_new_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key.tag_code} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("keys:incident", args=[self.pk])
