"""A neighbour's complaint (tickets) linked to the renovation it is about: it shows on both the
renovation's record and the complaint's page (docs/domain.md, "Renovation")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inspections.models.renovations import Renovation
from tickets.models import Complaint


class RenovationComplaint(models.Model):
    renovation = models.ForeignKey(
        Renovation, on_delete=models.PROTECT, related_name="complaint_links"
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="renovation_links"
    )
    linked_at = models.DateTimeField(_("linked"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["linked_at", "pk"]
        verbose_name = _("complaint about a renovation")
        verbose_name_plural = _("complaints about renovations")
        constraints = [
            models.UniqueConstraint(
                fields=["renovation", "complaint"], name="renovation_complaint_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.renovation} ← {self.complaint_id}"
