"""Reception (客户来访接待): the duty log (值班记录) and its timeline (docs/domain.md, Reception).

A Visit is one contact, owned by whoever received it (首问负责制) until it is resolved and the
resident called back; it may become a repair, a complaint or a defect rework form (linked both
ways). Every history is append-only: state changes write an event row, nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet, Resident, TimelineEvent, Unit
from propserv.phones import phone_validator
from tickets.models import Channel, Complaint, Repair

USER = settings.AUTH_USER_MODEL


class VisitQuerySet(EstateScopedQuerySet):
    def open(self):
        return self.exclude(status=Visit.Status.CLOSED)


class Visit(models.Model):
    """One entry of the duty log: a walk-in, call, letter, e-mail, web report or patrol find."""

    class Category(models.TextChoices):
        AFTER_SALES = "after_sales", _("After-sales defect")
        REPAIR = "repair", _("Repair")
        COMPLAINT = "complaint", _("Complaint")
        SERVICE = "service", _("Paid service")
        PRAISE = "praise", _("Praise")
        SUGGESTION = "suggestion", _("Suggestion")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved, to call back")
        CLOSED = "closed", _("Closed")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="visits", verbose_name=_("estate")
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.WALK_IN
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    received_at = models.DateTimeField(_("received at"))
    # None for a resident's web report: nobody at the desk received it.
    received_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    # First-contact ownership: changes only through an acknowledged handover or a transfer. A web
    # report has no owner until someone at the desk takes it (visits.services.first_contact).
    owner = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits_owned",
        verbose_name=_("first-contact owner"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("unit"),
    )
    resident = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("resident"),
    )
    caller_name = models.CharField(_("caller"), max_length=64, blank=True)
    caller_phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    summary = models.TextField(_("summary"), max_length=1000)
    handling = models.TextField(_("how it was handled"), max_length=1000, blank=True)
    promised_answer_at = models.DateTimeField(_("answer promised by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), max_length=1000, blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_note = models.CharField(_("callback note"), max_length=500, blank=True)
    repair = models.ForeignKey(
        Repair,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reception_entries",
        verbose_name=_("repair"),
    )
    complaint = models.ForeignKey(
        Complaint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reception_entries",
        verbose_name=_("complaint"),
    )
    # Praise and suggestions go to the project manager, who marks them read.
    pm_noted_at = models.DateTimeField(_("seen by the project manager"), null=True, blank=True)
    pm_noted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("reception entry")
        verbose_name_plural = _("reception log")
        indexes = [
            models.Index(fields=["estate", "-received_at"], name="visit_estate_recent"),
            models.Index(
                fields=["owner", "estate"],
                condition=~Q(status="closed"),
                name="visit_open_by_owner",
            ),
            models.Index(fields=["unit", "-received_at"], name="visit_unit_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | Q(status="resolved", resolved_at__isnull=False, called_back_at__isnull=True)
                | Q(status="closed", resolved_at__isnull=False, called_back_at__isnull=False),
                name="visit_status_matches_stamps",
            ),
            models.CheckConstraint(
                condition=Q(promised_answer_at__isnull=True)
                | Q(promised_answer_at__gte=models.F("received_at")),
                name="visit_promise_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_category_display()} {self.who}"

    def get_absolute_url(self) -> str:
        return reverse("visits:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"JD{self.pk:06d}" if self.pk else ""

    @property
    def who(self) -> str:
        name = self.caller_name or (self.resident.name if self.resident_id else "")
        return f"{self.unit.code} {name}".strip() if self.unit_id else name

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def contact_label(self) -> str:
        """Who contacted the desk, named by channel: a caller on the phone, a visitor at the
        desk, a contact otherwise (docs/glossary.md)."""
        if self.channel == Channel.PHONE:
            return pgettext("reception", "Caller")
        if self.channel == Channel.WALK_IN:
            return pgettext("reception", "Visitor")
        return pgettext("reception", "Contact")


class VisitEvent(TimelineEvent):
    """The entry's timeline: received, note, ownership moves, conversions, resolved, called back.

    Rows keep codes and parameters (`data`); `note` is only what a person typed."""

    class Action(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("timeline", "received")
        NOTE = "note", pgettext_lazy("timeline", "note")
        RESOLVED = "resolved", pgettext_lazy("timeline", "resolved")
        CALLED_BACK = "called_back", pgettext_lazy("timeline", "called back")
        CLOSED = "closed", pgettext_lazy("timeline", "closed")
        OWNER_CHANGED = "owner_changed", pgettext_lazy("timeline", "owner changed")
        TAKEN = "taken", pgettext_lazy("timeline", "taken by the desk")
        TO_REPAIR = "to_repair", pgettext_lazy("timeline", "became a repair")
        TO_COMPLAINT = "to_complaint", pgettext_lazy("timeline", "became a complaint")
        TO_DEFECT = "to_defect", pgettext_lazy("timeline", "became a defect rework form")
        PM_NOTED = "pm_noted", pgettext_lazy("timeline", "seen by the project manager")
        HANDED_OVER = "handed_over", pgettext_lazy("timeline", "handed over")

    Status = Visit.Status

    subject_field = "visit"
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="events")

    class Meta(TimelineEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.visit_id} {self.action}"

    @property
    def detail(self) -> str:
        """The parameters of the event, in the reader's language."""
        data = self.data or {}
        parts = []
        if data.get("from") or data.get("to"):
            parts.append(f"{data.get('from', '')} → {data.get('to', '')}")
        if data.get("reason") == OWNER_CHANGE_BY_HANDOVER:
            parts.append(str(_("Shift handover acknowledged")))
        if data.get("number"):
            parts.append(str(data["number"]))
        if data.get("ticket_done"):
            parts.append(
                str(_("%(number)s done and called back.")) % {"number": data["ticket_done"]}
            )
        if data.get("channel") == Channel.WEB:
            parts.append(str(_("Reported by the resident on the web form")))
        if data.get("defect_accepted"):
            parts.append(
                str(_("Defect %(number)s fixed and accepted by the owner."))
                % {"number": data["defect_accepted"]}
            )
        return " · ".join(parts)


# `data["reason"]` of an ownership change made by an acknowledged shift handover.
OWNER_CHANGE_BY_HANDOVER = "handover"
