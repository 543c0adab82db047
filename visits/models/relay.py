"""Information relay (信息传递, docs/domain.md, "Information relay"): anything a staff member or a
resident reports reaches the desk as an entry of the reception log (its receiver owns it,
首问负责制) and, beside it, a relay item: the department that must act, its head, the expected
completion date of a large job (the resident told), done, checked by the desk. The resident is
called back through the entry (visits.services.reception.visit_record_callback)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models import VacantInspection
from propserv.models import Department, Estate, EstateScopedQuerySet, TimelineEvent
from visits.models.reception import Visit

USER = settings.AUTH_USER_MODEL


class RelayItem(models.Model):
    class Source(models.TextChoices):
        DESK = "desk", _("Reported to the desk")
        COMMON_PATROL = "common_patrol", _("Common-area patrol")
        VACANT_INSPECTION = "vacant_inspection", _("Vacant-unit inspection")

    class Reporter(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff member")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Waiting for a department head")
        ROUTED = "routed", _("With the department")
        DONE = "done", _("Done, to be checked")
        CHECKED = "checked", _("Checked")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate")
    )
    visit = models.OneToOneField(
        Visit, on_delete=models.PROTECT, related_name="relay", verbose_name=_("reception entry")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reporter = models.CharField(_("reported by"), max_length=10, choices=Reporter.choices)
    # The colleague who reported it (a staff report); a resident is named on the entry.
    reported_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member who reported"),
    )
    location = models.CharField(_("location"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    head = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relay_items",
        verbose_name=_("department head"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    routed_at = models.DateTimeField(_("passed to the head at"), null=True, blank=True)
    expected_on = models.DateField(_("expected completion"), null=True, blank=True)
    resident_told_at = models.DateTimeField(_("resident told at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=500, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vacant_inspection = models.OneToOneField(
        VacantInspection,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relay_item",
        verbose_name=_("vacant-unit inspection"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("relay item")
        verbose_name_plural = _("information relay")
        indexes = [models.Index(fields=["estate", "status"], name="relay_estate_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="reported", head__isnull=True)
                | Q(status="routed", head__isnull=False, done_at__isnull=True)
                | Q(status="done", head__isnull=False, done_at__isnull=False)
                | Q(status="checked", done_at__isnull=False, checked_at__isnull=False),
                name="relay_status_matches_stamps",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_department_display()}"

    def get_absolute_url(self) -> str:
        return reverse("visits:relay-item", args=[self.pk])

    @property
    def number(self) -> str:
        return f"XX{self.pk:06d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.visit.is_open


class RelayEvent(TimelineEvent):
    class Action(models.TextChoices):
        REPORTED = "reported", pgettext_lazy("timeline", "reported")
        ROUTED = "routed", pgettext_lazy("timeline", "passed to the department head")
        EXPECTED = "expected", pgettext_lazy("timeline", "completion date set, resident told")
        DONE = "done", pgettext_lazy("timeline", "done")
        CHECK_FAILED = "check_failed", pgettext_lazy("timeline", "check failed, back to the head")
        CHECKED = "checked", pgettext_lazy("timeline", "checked")

    Status = RelayItem.Status

    subject_field = "item"
    item = models.ForeignKey(RelayItem, on_delete=models.PROTECT, related_name="events")

    class Meta(TimelineEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"

    @property
    def detail(self) -> str:
        data = self.data or {}
        parts = []
        if data.get("head"):
            parts.append(str(data["head"]))
        if data.get("expected_on"):
            parts.append(str(_("expected by %(date)s")) % {"date": data["expected_on"]})
        return " · ".join(parts)
