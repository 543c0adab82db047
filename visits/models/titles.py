"""Title certificates (产权服务, docs/domain.md, "Title certificates"): for each owner who has
paid in full (from fees, or imported from a list), the certificate's stages — documents
collected → submitted → issued → handed to the owner — each with its date; the owner is told
when it is ready, and the desk keeps a list of who is waiting and since when."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet, Resident, TimelineEvent, Unit


class TitleCertificate(models.Model):
    class Stage(models.TextChoices):
        LISTED = "listed", _("Waiting for documents")
        COLLECTED = "collected", _("Documents collected")
        SUBMITTED = "submitted", _("Submitted")
        ISSUED = "issued", _("Issued, ready for the owner")
        HANDED = "handed", _("Handed to the owner")

    class Source(models.TextChoices):
        FEES = "fees", _("Paid in full (fees)")
        IMPORT = "import", _("Imported list")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="title_certificates", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="title_certificates",
        verbose_name=_("owner"),
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    listed_on = models.DateField(_("waiting since"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.LISTED)
    collected_on = models.DateField(_("documents collected on"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    handed_on = models.DateField(_("handed to the owner on"), null=True, blank=True)
    owner_notified_at = models.DateTimeField(_("owner notified at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["listed_on", "unit__code"]
        verbose_name = _("title certificate")
        verbose_name_plural = _("title certificates")
        constraints = [
            models.UniqueConstraint(fields=["unit", "owner"], name="title_one_per_owner_unit"),
            models.CheckConstraint(
                condition=Q(stage="listed")
                | Q(stage="collected", collected_on__isnull=False)
                | Q(stage="submitted", submitted_on__isnull=False)
                | Q(stage="issued", issued_on__isnull=False)
                | Q(stage="handed", handed_on__isnull=False),
                name="title_stage_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.owner.name}"

    def get_absolute_url(self) -> str:
        return reverse("visits:title", args=[self.pk])

    # The stages in order, each with the field holding its date.
    STAGE_DATES = (
        ("collected", "collected_on"),
        ("submitted", "submitted_on"),
        ("issued", "issued_on"),
        ("handed", "handed_on"),
    )

    @property
    def next_stage(self) -> str | None:
        codes = [code for code, _field in self.STAGE_DATES]
        if self.stage == self.Stage.LISTED:
            return codes[0]
        index = codes.index(self.stage)
        return codes[index + 1] if index + 1 < len(codes) else None


class TitleEvent(TimelineEvent):
    class Action(models.TextChoices):
        LISTED = "listed", pgettext_lazy("timeline", "put on the waiting list")
        COLLECTED = "collected", pgettext_lazy("timeline", "documents collected")
        SUBMITTED = "submitted", pgettext_lazy("timeline", "submitted")
        ISSUED = "issued", pgettext_lazy("timeline", "issued")
        HANDED = "handed", pgettext_lazy("timeline", "handed to the owner")
        NOTIFIED = "notified", pgettext_lazy("timeline", "owner notified")

    Status = TitleCertificate.Stage

    subject_field = "certificate"
    certificate = models.ForeignKey(
        TitleCertificate, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(TimelineEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.action}"
