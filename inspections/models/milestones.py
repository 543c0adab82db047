"""Key milestones of a hand-over project (关键点评审, docs/domain.md, "Hand-over and move-in"):
each is set with its owner and due date (a deadline row) and marked done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet

USER = settings.AUTH_USER_MODEL


class Milestone(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate")
    )
    project = models.CharField(_("project"), max_length=100)
    name = models.CharField(_("milestone"), max_length=200)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible")
    )
    due_on = models.DateField(pgettext_lazy("milestone", "due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("key milestone")
        verbose_name_plural = _("key milestones")

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:milestones")
