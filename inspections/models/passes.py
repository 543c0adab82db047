"""Worker passes (临时出入证): one per registered worker of a renovation, valid until a date no
later than the permit's end (docs/domain.md, "Renovation"). The gate reads the pass and its
renovation at once: a stop-work order makes every pass of the renovation fail at the next scan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.models.renovations import Renovation
from propserv.models import EstateScopedQuerySet

ID_LAST4_HELP = _("Last 4 characters of the identity card, e.g. 123X.")


class WorkerPassQuerySet(EstateScopedQuerySet):
    estate_field = "renovation__estate"


def photo_path(instance, filename: str) -> str:
    return f"renovations/{instance.renovation_id}/workers/{filename}"


class WorkerPass(models.Model):
    class Trade(models.TextChoices):
        GENERAL = "general", _("General labour")
        MASON = "mason", _("Mason / tiler")
        CARPENTER = "carpenter", _("Carpenter")
        ELECTRICIAN = "electrician", _("Electrician")
        PLUMBER = "plumber", _("Plumber")
        PAINTER = "painter", _("Painter")
        WELDER = "welder", _("Welder (hot work)")
        INSTALLER = "installer", _("Installer")

    renovation = models.ForeignKey(Renovation, on_delete=models.PROTECT, related_name="passes")
    number = models.CharField(_("pass number"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    id_last4 = models.CharField(_("ID card, last 4"), max_length=4, help_text=ID_LAST4_HELP)
    trade = models.CharField(_("trade"), max_length=16, choices=Trade.choices)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    confiscated_at = models.DateTimeField(_("taken back"), null=True, blank=True)

    objects = WorkerPassQuerySet.as_manager()

    class Meta:
        ordering = ["renovation", "number"]
        verbose_name = _("worker pass")
        verbose_name_plural = _("worker passes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="worker_pass_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:pass", args=[self.pk])
