"""Complaints (投诉): intake, grade, report-up, replies, handling, extensions, the timeline, and
the filed monthly summary.

A complaint's clocks (reply within 4 working days, report-up, handling) are core Deadline rows
whose subject is the complaint; its history is the append-only ComplaintEvent timeline.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import (
    Deadline,
    Department,
    Estate,
    EstateScopedQuerySet,
    Resident,
    TimelineEvent,
    Unit,
)
from propserv.phones import phone_validator
from propserv.roles import Role
from tickets.models.repairs import Channel, callback_detail


class ComplaintQuerySet(EstateScopedQuerySet):
    def open(self):
        return self.exclude(status=Complaint.Status.CLOSED)

    def effective(self):
        return self.filter(
            grade__in=[Complaint.Grade.MAJOR, Complaint.Grade.IMPORTANT, Complaint.Grade.MINOR]
        )


class Complaint(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not graded")
        HANDLING = "handling", _("Being handled")
        HANDLED = "handled", _("Handled, awaiting callback")
        REOPENED = "reopened", _("Handling again")
        CLOSED = "closed", _("Closed")

    class Grade(models.TextChoices):
        MAJOR = "major", _("Major")
        IMPORTANT = "important", _("Important")
        MINOR = "minor", _("Minor")
        INVALID = "invalid", _("Invalid")

    class Category(models.TextChoices):
        MANAGEMENT = "management", _("Management responsibility")
        STAFF = "staff", _("Staff quality")
        EFFICIENCY = "efficiency", _("Work efficiency")
        DEVELOPER = "developer", _("Developer-related")
        NEIGHBOUR = "neighbour", _("Neighbour dispute")
        OTHER = "other", pgettext_lazy("complaint category", "Other")

    class ComplainantKind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff member")
        PARTNER = "partner", _("Partner")
        OTHER = "other", _("Other party")

    # One list of departments for the whole office (propserv.models.departments).
    Department = Department

    class InvalidReason(models.TextChoices):
        DEVELOPER = "developer", _("Developer legacy or building quality: forwarded to after-sales")
        OUTSIDE = (
            "outside",
            _("Outside our area or a social problem: referred to the body responsible"),
        )

    TRANSITIONS: dict[str, set[str]] = {
        Status.RECEIVED: {Status.HANDLING},
        Status.HANDLING: {Status.HANDLED},
        Status.HANDLED: {Status.CLOSED, Status.REOPENED},
        Status.REOPENED: {Status.HANDLED},
        Status.CLOSED: {Status.REOPENED},
    }

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("estate")
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    complainant_kind = models.CharField(
        _("complainant is"),
        max_length=16,
        choices=ComplainantKind.choices,
        default=ComplainantKind.RESIDENT,
    )
    complainant = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("resident"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=64, blank=True)
    complainant_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("unit"),
    )
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    occurred_place = models.CharField(_("where it happened"), max_length=200, blank=True)
    department = models.CharField(
        _("department complained about"),
        max_length=32,
        choices=Department.choices,
        default=Department.OTHER,
    )
    against = models.CharField(
        _("who is complained about"), max_length=100, blank=True, help_text=_("A person or team.")
    )
    description = models.TextField(_("what happened"), max_length=4000)
    request = models.TextField(_("what the complainant asks for"), max_length=2000, blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.OTHER
    )
    written = models.BooleanField(
        _("written complaint"),
        default=False,
        help_text=_("A written complaint gets a written reply."),
    )
    households = models.PositiveSmallIntegerField(
        _("households complaining"), default=1, validators=[MinValueValidator(1)]
    )
    injury_or_loss = models.BooleanField(_("injury or financial loss"), default=False)
    promise_broken = models.BooleanField(
        _("a promised service repeatedly not delivered"), default=False
    )
    apologised = models.BooleanField(_("apology given"), default=False)
    requested_by = models.DateTimeField(_("resident asks for an answer by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    proposed_grade = models.CharField(
        _("proposed grade"), max_length=16, choices=Grade.choices, blank=True
    )
    proposed_reasons = models.JSONField(default=list, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    grade_reason = models.CharField(_("why this grade"), max_length=300, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("graded by"),
    )
    invalid_reason = models.CharField(
        _("why invalid"), max_length=16, choices=InvalidReason.choices, blank=True
    )
    referred_to = models.CharField(_("forwarded or referred to"), max_length=100, blank=True)
    upgraded_at = models.DateTimeField(
        _("upgraded to major automatically at"), null=True, blank=True
    )
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_received",
        verbose_name=_("received by"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_owned",
        verbose_name=pgettext_lazy("ticket owner", "owner"),
        help_text=_("Follows the complaint through until the resident has been called back."),
    )
    reported_up_at = models.DateTimeField(_("reported up at"), null=True, blank=True)
    reported_to = models.JSONField(default=list, blank=True)
    first_reply_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    outcome = models.TextField(_("how it was handled"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # Repeat detection: the first complaint about the same matter, and how many there were in the
    # window when this one came in (set at intake; the flag stays on the ticket).
    same_matter_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
        verbose_name=_("same matter as"),
    )
    repeat_count = models.PositiveSmallIntegerField(_("times complained about"), default=1)
    repeat_flagged = models.BooleanField(_("repeat complaint"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deadlines = GenericRelation(Deadline, related_query_name="complaint")

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(
                fields=["estate", "status", "-received_at"], name="complaint_estate_status"
            ),
            models.Index(fields=["estate", "-received_at"], name="complaint_estate_received"),
            models.Index(fields=["owner", "status"], name="complaint_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(grade="invalid") | ~Q(invalid_reason=""),
                name="complaint_invalid_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(graded_at__isnull=False),
                name="complaint_graded_has_time",
            ),
            models.CheckConstraint(
                condition=Q(households__gte=1), name="complaint_households_positive"
            ),
            models.CheckConstraint(
                condition=~Q(complainant_name="") | Q(unit__isnull=False),
                name="complaint_has_complainant_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_category_display()} {self.who}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:complaint-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"TS{self.pk:06d}" if self.pk else ""

    @property
    def who(self) -> str:
        unit = self.unit.code if self.unit_id else ""
        return f"{unit} {self.complainant_name}".strip()

    @property
    def effective(self) -> bool:
        return self.grade in (self.Grade.MAJOR, self.Grade.IMPORTANT, self.Grade.MINOR)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def grade_css(self) -> str:
        """The colour of the grade pill (site.css state classes)."""
        return {"major": "state-red", "important": "state-amber"}.get(self.grade, "")

    def can_transition(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(self.status, set())


class ComplaintReply(models.Model):
    """An answer given to the complainant. Letters and e-mails are written replies; a letter can
    be printed on the estate's letterhead."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")

    WRITTEN = (Channel.LETTER, Channel.EMAIL)

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="replies")
    channel = models.CharField(_("how"), max_length=16, choices=Channel.choices)
    text = models.TextField(_("reply"), max_length=6000)
    replied_at = models.DateTimeField(_("replied at"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("replied by"),
    )

    class Meta:
        ordering = ["replied_at", "id"]
        verbose_name = _("complaint reply")
        verbose_name_plural = _("complaint replies")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.channel} {self.replied_at:%Y-%m-%d}"

    @property
    def written(self) -> bool:
        return self.channel in self.WRITTEN


class ComplaintExtension(models.Model):
    """A longer handling time, approved by the role the grade names (GM for important, the
    project manager for minor), with the reason. Append-only."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="extensions")
    grade = models.CharField(max_length=16, choices=Complaint.Grade.choices)
    old_due_at = models.DateTimeField(_("was due"))
    new_due_at = models.DateTimeField(_("now due"))
    reason = models.CharField(_("reason"), max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_at__gt=models.F("old_due_at")),
                name="complaint_extension_is_later",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.new_due_at:%Y-%m-%d %H:%M}"


class ComplaintEvent(TimelineEvent):
    """The timeline: who did what, when, from which status (or grade) to which. Append-only;
    rows keep codes and parameters, rendered in the reader's language (docs/architecture.md,
    Timelines)."""

    class Action(models.TextChoices):
        CREATED = "created", _("received")
        GRADED = "graded", _("graded")
        REGRADED = "regraded", _("regraded")
        AUTO_UPGRADED = "auto_upgraded", _("upgraded to major automatically")
        REPORTED_UP = "reported_up", _("reported up")
        REPLIED = "replied", _("replied")
        HANDLED = "handled", _("handled")
        EXTENDED = "extended", _("handling time extended")
        OWNER = "owner", _("owner changed")
        REPEAT = "repeat", _("repeat complaint")
        CALLBACK_DUE = "callback_due", _("callback due")
        CALLBACK_ASSIGNED = "callback_assigned", _("callers changed")
        CALLBACK_ATTEMPT = "callback_attempt", _("call attempt")
        CALLED_BACK = "called_back", _("called back")
        REOPENED = "reopened", _("reopened")
        CLOSED = "closed", _("closed")
        SECOND_HANDLING = "second_handling", _("second handling assigned")
        SECOND_HANDLING_DONE = "second_handling_done", _("handled again")

    Status = Complaint.Status
    subject_field = "complaint"
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["complaint", "at"])]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def detail(self) -> str:
        data, action = self.data or {}, self.action
        grades = dict(Complaint.Grade.choices)
        if "to_grade" in data:
            before = grades.get(data.get("from_grade") or "", "–")
            text = f"{before} → {grades.get(data['to_grade'], data['to_grade'])}"
            if data.get("as_proposed"):
                text += " · " + str(_("as proposed"))
            if data.get("days"):
                text += " · " + _("still unresolved after %(days)s days") % {"days": data["days"]}
            return text
        if action == "reported_up" and data.get("to"):
            return ", ".join(str(Role(r).label) if r in Role.values else r for r in data["to"])
        if action == "replied" and data.get("channel"):
            return str(dict(ComplaintReply.Channel.choices).get(data["channel"], data["channel"]))
        if action == "extended" and data.get("to"):
            until = timezone.localtime(dt.datetime.fromisoformat(data["to"]))
            return _("until %(time)s") % {"time": until.strftime("%Y-%m-%d %H:%M")}
        if action == "owner" and data.get("to_name"):
            return f"{data.get('from_name') or '–'} → {data['to_name']}"
        if action == "repeat" and data.get("count"):
            return _("Same matter complained about %(count)s times (first: %(first)s).") % {
                "count": data["count"],
                "first": data.get("first_number", ""),
            }
        if action == "reopened" and data.get("dissatisfied"):
            return _("Complainant dissatisfied at callback (%(score)s/5)") % {
                "score": data["dissatisfied"]
            }
        return callback_detail(action, data)


class MonthlyComplaintReport(models.Model):
    """The filed monthly complaint summary (投诉情况月汇总表): one per estate and month, the
    figures frozen as they were when it was filed."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="complaint_reports")
    month = models.DateField(help_text="first day of the month the report is for")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    data = models.JSONField()
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly complaint summary")
        verbose_name_plural = _("monthly complaint summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "month"], name="complaint_report_once_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.month:%Y-%m}"
