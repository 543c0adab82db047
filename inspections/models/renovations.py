"""Renovations (装修): the owner's application, its review, the permit (装修许可证) and the
renovation's timeline (docs/domain.md, "Renovation").

One `Renovation` row carries the application, the decision and the permit: the permit is the
approved application with a number. Its allowed transitions are `TRANSITIONS`; the services
(`inspections.services.renovations`) are the only writers.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models import Contractor, ContractorPerson
from propserv.models import Estate, EstateScopedQuerySet, Resident, TimelineEvent, Unit

USER = settings.AUTH_USER_MODEL


class Scope(models.TextChoices):
    """What the owner means to change (the application's checklist)."""

    WALLS = "walls", _("Non-load-bearing walls")
    FLOORS = "floors", _("Floors")
    CEILINGS = "ceilings", _("Ceilings")
    PLUMBING = "plumbing", _("Plumbing")
    ELECTRICAL = "electrical", _("Electrical")
    WINDOWS = "windows", _("Windows (inside)")
    AIR_CONDITIONING = "air_conditioning", _("Air-conditioning")
    KITCHEN_BATH = "kitchen_bath", _("Kitchen and bathroom (waterproofing)")
    DOORS = "doors", _("Doors")
    PAINTING = "painting", _("Painting")
    STRUCTURAL = "structural", _("Structural changes (load-bearing walls, slabs, beams)")
    FACADE = "facade", _("Façade changes (outer walls, balconies, outer windows)")
    ADDITION = "addition", _("Building additions (mezzanines, enclosures, roof structures)")


class RenovationQuerySet(EstateScopedQuerySet):
    def active(self):
        """Renovations with a permit whose work is not finished (stopped ones too)."""
        return self.filter(status__in=Renovation.ACTIVE)


class Renovation(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Application under review")
        APPROVED = "approved", _("Permit issued, work under way")
        REJECTED = "rejected", _("Rejected")
        STOPPED = "stopped", _("Work stopped")
        ACCEPTANCE = "acceptance", _("Acceptance requested")
        COMPLETED = "completed", pgettext_lazy("renovation", "Completed")

    ACTIVE = (Status.APPROVED, Status.STOPPED, Status.ACCEPTANCE)
    TRANSITIONS = {
        Status.SUBMITTED: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: {Status.STOPPED, Status.ACCEPTANCE},
        Status.STOPPED: {Status.APPROVED},
        Status.ACCEPTANCE: {Status.COMPLETED, Status.APPROVED},
        Status.REJECTED: set(),
        Status.COMPLETED: set(),
    }

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="renovations", verbose_name=_("estate")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="renovations", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="renovations", verbose_name=_("owner")
    )
    contractor = models.ForeignKey(
        Contractor,
        on_delete=models.PROTECT,
        related_name="renovations",
        verbose_name=_("contractor"),
    )
    responsible = models.ForeignKey(
        ContractorPerson,
        on_delete=models.PROTECT,
        related_name="renovations",
        verbose_name=_("responsible person"),
    )
    scope = models.JSONField(_("scope"), default=list)
    scope_other = models.TextField(_("other work"), blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    deposit = models.DecimalField(
        _("deposit (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    conditions = models.TextField(_("conditions of approval"), blank=True)
    rejection_reasons = models.TextField(_("reasons for rejection"), blank=True)
    permit_number = models.CharField(_("permit number"), max_length=24, blank=True)
    # The unit's status before the permit; it returns to it at completion.
    unit_status_before = models.CharField(max_length=16, blank=True)
    completed_at = models.DateTimeField(
        pgettext_lazy("renovation", "completed"), null=True, blank=True
    )
    # The deposit refund (a refund entry for fees once fees exists; docs/domain.md, Renovation).
    refund_amount = models.DecimalField(
        _("deposit refund (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    deductions = models.JSONField(_("deductions"), default=list, blank=True)

    objects = RenovationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("renovation")
        verbose_name_plural = _("renovations")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "permit_number"],
                condition=~Q(permit_number=""),
                name="renovation_permit_number_unique",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=["submitted", "approved", "stopped", "acceptance"]),
                name="renovation_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="renovation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.permit_number or f"{self.unit.code} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:renovation", args=[self.pk])

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(code).label) for code in self.scope if code in Scope.values]

    @property
    def has_permit(self) -> bool:
        return bool(self.permit_number)

    @property
    def work_allowed(self) -> bool:
        """Workers may enter: a permit is in force and work is not stopped."""
        return self.status in (self.Status.APPROVED, self.Status.ACCEPTANCE)


def document_path(instance, filename: str) -> str:
    return f"renovations/{instance.renovation_id}/{filename}"


class RenovationDocument(models.Model):
    """A drawing or document of the application, checked by its content (inspections.uploads)."""

    class Kind(models.TextChoices):
        DRAWING = "drawing", _("Drawing")
        DOCUMENT = "document", _("Document")

    renovation = models.ForeignKey(Renovation, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_path)
    name = models.CharField(pgettext_lazy("file", "name"), max_length=200)
    content_type = models.CharField(max_length=48)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("renovation document")
        verbose_name_plural = _("renovation documents")

    def __str__(self) -> str:
        return self.name


class RenovationEvent(TimelineEvent):
    """A renovation's record: every decision, pass, patrol, notice and inspection."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Application submitted")
        DOCUMENT_ADDED = "document_added", _("Document added")
        APPROVED = "approved", _("Approved, permit issued")
        REJECTED = "rejected", _("Rejected")
        PASS_ISSUED = "pass_issued", _("Worker pass issued")
        PASS_REVOKED = "pass_revoked", _("Worker pass revoked")
        PASS_CONFISCATED = "pass_confiscated", _("Expired pass taken back")
        PATROLLED = "patrolled", _("Patrol recorded")
        NOTICE_ISSUED = "notice_issued", _("Rectification notice issued")
        WORK_STOPPED = "work_stopped", _("Stop-work order")
        REINSPECTED = "reinspected", _("Re-inspection")
        WORK_RESUMED = "work_resumed", _("Work resumed")
        ACCEPTANCE_REQUESTED = "acceptance_requested", _("Acceptance requested")
        ACCEPTANCE_FAILED = "acceptance_failed", _("Acceptance inspection failed")
        COMPLETED = "completed", _("Accepted, deposit refund recorded")
        COMPLAINT_LINKED = "complaint_linked", _("Neighbour's complaint linked")

    Status = Renovation.Status
    subject_field = "renovation"

    renovation = models.ForeignKey(Renovation, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("renovation event")
        verbose_name_plural = _("renovation events")

    @property
    def detail(self) -> str:
        data = self.data or {}
        parts = []
        if data.get("permit"):
            parts.append(str(_("Permit %(number)s")) % {"number": data["permit"]})
        if data.get("pass"):
            parts.append(str(_("Pass %(number)s")) % {"number": data["pass"]})
        if data.get("notice"):
            parts.append(str(_("Notice %(number)s")) % {"number": data["notice"]})
        if "passed" in data:
            parts.append(str(_("passed") if data["passed"] else _("failed")))
        if data.get("complaint"):
            parts.append(str(_("Complaint #%(id)s")) % {"id": data["complaint"]})
        if data.get("refund") is not None:
            parts.append(str(_("refund %(amount)s yuan")) % {"amount": data["refund"]})
        return " · ".join(parts)
