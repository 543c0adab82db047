"""Repairs (报修).

A repair's clocks (arrival, completion, callback) are core Deadline rows whose subject is the
repair; its history is the append-only RepairEvent timeline.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propserv.models import Deadline, Estate, EstateScopedQuerySet, Resident, TimelineEvent, Unit
from propserv.phones import phone_validator
from tickets.models.reference import PriceItem, RepairCategory

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    PATROL = "patrol", _("Found on patrol")


class RepairQuerySet(EstateScopedQuerySet):
    def open(self):
        return self.exclude(status__in=[Repair.Status.CLOSED, Repair.Status.CANCELLED])


class Repair(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISPATCHED = "dispatched", _("Dispatched")
        ON_SITE = "on_site", _("On site")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_HOLD = "on_hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        CALLED_BACK = "called_back", _("Called back")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        REOPENED = "reopened", _("Reopened")

    class Difficulty(models.TextChoices):
        GENERAL = "general", _("General (≤ 2 hours)")
        DIFFICULT = "difficult", _("Difficult (≤ 72 hours)")

    # Allowed moves; everything else is refused (HTTP 409 in the API).
    TRANSITIONS: dict[str, set[str]] = {
        Status.RECEIVED: {Status.DISPATCHED, Status.ON_HOLD, Status.CANCELLED},
        Status.DISPATCHED: {Status.DISPATCHED, Status.ON_SITE, Status.ON_HOLD, Status.CANCELLED},
        Status.ON_SITE: {Status.IN_PROGRESS, Status.ON_HOLD, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.COMPLETED, Status.ON_HOLD},
        Status.ON_HOLD: {Status.DISPATCHED, Status.ON_SITE, Status.IN_PROGRESS, Status.CANCELLED},
        Status.COMPLETED: {Status.CALLED_BACK, Status.REOPENED},
        Status.CALLED_BACK: {Status.CLOSED, Status.REOPENED},
        Status.CLOSED: {Status.REOPENED},
        Status.CANCELLED: set(),
        Status.REOPENED: {Status.DISPATCHED, Status.ON_HOLD, Status.CANCELLED},
    }

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="repairs", verbose_name=_("estate")
    )
    tracking_code = models.CharField(
        _("tracking code"), max_length=12, unique=True, default=new_tracking_code, editable=False
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
        verbose_name=_("unit"),
    )
    location = models.CharField(
        _("location"),
        max_length=200,
        blank=True,
        help_text=_("Where in the unit, or the common area (e.g. 3栋2单元 lift lobby)."),
    )
    reporter = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
        verbose_name=_("resident"),
    )
    reporter_name = models.CharField(_("reported by"), max_length=64, blank=True)
    reporter_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    category = models.ForeignKey(
        RepairCategory, on_delete=models.PROTECT, related_name="repairs", verbose_name=_("category")
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    urgency_reason = models.CharField(_("why the urgency was changed"), max_length=200, blank=True)
    difficulty = models.CharField(
        _("difficulty"), max_length=16, choices=Difficulty.choices, default=Difficulty.GENERAL
    )
    description = models.TextField(_("description"), max_length=2000)
    preferred_visit_at = models.DateTimeField(_("preferred visit time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs_received",
        verbose_name=_("received by"),
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs_assigned",
        verbose_name=_("technician"),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    hold_reason = models.CharField(_("on-hold reason"), max_length=200, blank=True)
    hold_until = models.DateTimeField(_("agreed new time"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    # Paid work (有偿维修): quote from the price list and the resident's consent before work starts.
    chargeable = models.BooleanField(_("chargeable"), default=False)
    quoted_amount = models.DecimalField(
        _("quote (¥)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    consent_at = models.DateTimeField(_("resident agreed at"), null=True, blank=True)
    consent_by = models.CharField(_("agreed by"), max_length=64, blank=True)
    # Completion
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), null=True, blank=True)
    materials = models.TextField(_("materials used"), blank=True)
    fee = models.DecimalField(
        _("fee charged (¥)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    signed_by = models.CharField(_("signed off by"), max_length=64, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    deadlines = GenericRelation(Deadline, related_query_name="repair")

    objects = RepairQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("repair")
        verbose_name_plural = _("repairs")
        indexes = [
            models.Index(fields=["estate", "status", "-received_at"], name="repair_estate_status"),
            models.Index(fields=["estate", "-id"], name="repair_estate_recent"),
            # The dashboard's period: repairs received between two times (tickets.kpis).
            models.Index(fields=["estate", "received_at"], name="repair_estate_received"),
            # The API list filtered by status, newest first (its cursor order): a rare status
            # such as "cancelled" is otherwise found by walking the primary key past most rows.
            models.Index(fields=["status", "-id"], include=["estate"], name="repair_status_recent"),
            models.Index(fields=["technician", "status"], name="repair_technician_status"),
            models.Index(fields=["unit", "category", "received_at"], name="repair_unit_category"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0), name="repair_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quoted_amount__isnull=True) | Q(quoted_amount__gte=0),
                name="repair_quote_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(location=""),
                name="repair_has_unit_or_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name} {self.place}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:repair-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return self.number_of(self.pk) if self.pk else ""

    @staticmethod
    def number_of(pk: int) -> str:
        """The work-order number staff read out (报修单号): BX and the id."""
        return f"BX{pk:06d}"

    @property
    def place(self) -> str:
        if self.unit_id:
            return f"{self.unit.code} {self.location}".strip()
        return self.location

    def can_transition(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(self.status, set())


class RepairChargeLine(models.Model):
    """A line of the quote, priced from the price list at quoting time (never above the list)."""

    repair = models.ForeignKey(Repair, on_delete=models.PROTECT, related_name="charge_lines")
    price_item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=8, decimal_places=2)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    # A re-quote before the resident agreed supersedes the old lines; nothing is deleted.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="charge_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0) & Q(amount__gte=0), name="charge_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_item.name} × {self.quantity} = ¥{self.amount}"


def repair_photo_path(instance, filename: str) -> str:
    return f"repairs/{instance.repair.estate_id}/{instance.repair_id}/{secrets.token_hex(8)}.jpg"


class RepairPhoto(models.Model):
    """A photo of the job: the resident's from the report form, or the technician's before and
    after the work. Served only through the repair page's own view (confidential)."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("From the resident")
        BEFORE = "before", _("Before the work")
        AFTER = "after", _("After the work")

    repair = models.ForeignKey(Repair, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(upload_to=repair_photo_path)
    kind = models.CharField(_("photo"), max_length=16, choices=Kind.choices, default=Kind.RESIDENT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("repair photo")
        verbose_name_plural = _("repair photos")

    def __str__(self) -> str:
        return self.image.name


def callback_detail(action: str, data: dict) -> str:
    """The parameters of a callback step in the reader's language (docs/domain.md, Callbacks)."""
    if action == "callback_attempt" and data.get("outcome"):
        # CallbackAttempt.Outcome's labels (models.callbacks imports this module, not back).
        outcomes = {
            "reached": _("Reached"),
            "no_answer": _("No answer"),
            "wrong_number": _("Wrong number"),
        }
        return str(outcomes.get(data["outcome"], data["outcome"]))
    if action in ("callback_due", "callback_assigned") and data.get("callers"):
        return " / ".join(data["callers"])
    if action == "second_handling" and data.get("handlers"):
        return " / ".join(data["handlers"])
    if action == "second_handling_done" and data.get("rework"):
        return str(_("Rework completed."))
    if action == "called_back" and data.get("satisfaction"):
        return _("satisfaction %(score)s/5") % {"score": data["satisfaction"]}
    return ""


class RepairEvent(TimelineEvent):
    """The repair's timeline. Append-only; rows keep codes and parameters, rendered in the
    reader's language (docs/architecture.md, Timelines)."""

    class Action(models.TextChoices):
        CREATED = "created", _("logged")
        URGENCY = "urgency", _("urgency changed")
        DISPATCHED = "dispatched", _("dispatched")
        ARRIVED = "arrived", _("technician arrived")
        QUOTED = "quoted", _("quoted from the price list")
        CONSENT = "consent", _("resident agreed to the price")
        STARTED = "started", _("work started")
        COMPLETED = "completed", _("completed")
        ON_HOLD = "on_hold", _("put on hold")
        RESUMED = "resumed", _("resumed")
        CANCELLED = "cancelled", _("cancelled")
        REOPENED = "reopened", _("reopened")
        CALLED_BACK = "called_back", _("called back")
        CLOSED = "closed", _("closed")
        CALLBACK_DUE = "callback_due", _("callback due")
        CALLBACK_ASSIGNED = "callback_assigned", _("callers changed")
        CALLBACK_ATTEMPT = "callback_attempt", _("call attempt")
        SECOND_HANDLING = "second_handling", _("second handling assigned")
        SECOND_HANDLING_DONE = "second_handling_done", _("handled again")

    Status = Repair.Status
    subject_field = "repair"

    repair = models.ForeignKey(Repair, on_delete=models.PROTECT, related_name="events")

    @property
    def detail(self) -> str:
        data, action = self.data or {}, self.action
        if action == "urgency" and "urgent" in data:
            return str(_("urgent") if data["urgent"] else _("not urgent"))
        if action == "dispatched" and data.get("name"):
            return data["name"]
        if action == "quoted" and data.get("total"):
            return f"¥{data['total']}"
        if action == "consent" and data.get("amount"):
            return f"{data.get('resident', '')} ¥{data['amount']}".strip()
        if action == "completed" and data.get("labour_minutes") is not None:
            text = _("%(minutes)s min") % {"minutes": data["labour_minutes"]}
            return f"{text} · ¥{data['fee']}" if data.get("fee") else text
        if action == "on_hold" and data.get("until"):
            until = timezone.localtime(dt.datetime.fromisoformat(data["until"]))
            return _("until %(time)s") % {"time": until.strftime("%Y-%m-%d %H:%M")}
        if action == "reopened" and data.get("dissatisfied"):
            return _("Resident dissatisfied at callback (%(score)s/5)") % {
                "score": data["dissatisfied"]
            }
        return callback_detail(action, data)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["repair", "at"])]

    def __str__(self) -> str:
        return f"{self.repair_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
