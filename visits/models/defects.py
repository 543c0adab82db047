"""After-sales defects (物业返修联系单, docs/domain.md, Reception): the developer's rework loop."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet, TimelineEvent, Unit
from visits.models.reception import Visit

USER = settings.AUTH_USER_MODEL


class Defect(models.Model):
    """物业返修联系单: a construction defect sent to the developer's after-sales team, tracked
    through their fix, our inspection and the owner's re-acceptance, round after round."""

    class Status(models.TextChoices):
        TO_SEND = "to_send", _("To send to the developer")
        WITH_DEVELOPER = "with_developer", _("With the developer")
        FIXED = "fixed", _("Reported fixed, to inspect")
        AWAITING_OWNER = "awaiting_owner", _("Inspected, awaiting the owner")
        ACCEPTED = "accepted", _("Accepted by the owner")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="defects")
    visit = models.OneToOneField(
        Visit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="defect",
        verbose_name=_("reception entry"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="defects", verbose_name=_("unit")
    )
    location = models.CharField(_("where in the unit"), max_length=200, blank=True)
    description = models.TextField(_("defect"), max_length=2000)
    developer_team = models.CharField(_("developer's after-sales team"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.TO_SEND
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    created_at = models.DateTimeField(_("issued at"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("defect rework form")
        verbose_name_plural = _("defect rework forms")
        constraints = [
            models.CheckConstraint(condition=Q(round__gte=1), name="defect_round_positive"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False),
                name="defect_accepted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit.code}"

    def get_absolute_url(self) -> str:
        return reverse("visits:defect", args=[self.pk])

    @property
    def number(self) -> str:
        return f"FX{self.pk:06d}" if self.pk else ""


class DefectEvent(TimelineEvent):
    """The rework form's timeline, round after round."""

    class Action(models.TextChoices):
        CREATED = "created", pgettext_lazy("timeline", "created")
        SENT = "sent", pgettext_lazy("timeline", "sent to the developer")
        FIXED = "fixed", pgettext_lazy("timeline", "reported fixed")
        INSPECTION_PASSED = "inspection_passed", pgettext_lazy("timeline", "inspection passed")
        INSPECTION_FAILED = "inspection_failed", pgettext_lazy("timeline", "inspection failed")
        OWNER_ACCEPTED = "owner_accepted", pgettext_lazy("timeline", "accepted by the owner")
        OWNER_REFUSED = "owner_refused", pgettext_lazy("timeline", "refused by the owner")

    Status = Defect.Status

    subject_field = "defect"

    defect = models.ForeignKey(Defect, on_delete=models.PROTECT, related_name="events")
    round = models.PositiveSmallIntegerField()

    class Meta(TimelineEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.defect_id} {self.action}"
