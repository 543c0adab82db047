"""Callbacks (回访) owed to residents after repairs and complaints (problem callbacks), the planned
ones (routine callbacks: visits, follow-ups), each attempt to reach them, and the second handling
a dissatisfied resident gets (docs/domain.md, Callbacks)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit
from tickets.models.complaints import Complaint
from tickets.models.repairs import Repair
from tickets.rules.callbacks import call_advice, is_dissatisfied


class CallbackQuerySet(EstateScopedQuerySet):
    def pending(self):
        return self.filter(status=Callback.Status.PENDING)

    def for_caller(self, user):
        return self.filter(Q(assigned_to=user) | Q(second_caller=user))

    def problem(self):
        return self.filter(kind=Callback.Kind.PROBLEM)

    def routine(self):
        return self.exclude(kind=Callback.Kind.PROBLEM)


class Callback(models.Model):
    """A callback (回访). A problem callback is owed after a repair or a complaint: exactly one of
    them. A routine callback is planned: a household visit (its unit, the resident to reach and
    the quarter or year it belongs to), a repair-works follow-up, a paid-service or an
    emergency-assistance callback; it has a unit and no ticket."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To call")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("Problem callback")
        ADMIN_VISIT = "admin_visit", _("Administrator's quarterly visit")
        HEAD_VISIT = "head_visit", _("Office head's yearly visit")
        REPAIR_FOLLOWUP = "repair_followup", _("Repair works follow-up")
        PAID_MIDWAY = "paid_midway", _("Special paid service: midway")
        PAID_END = "paid_end", _("Special paid service: at the end")
        EMERGENCY = "emergency", _("Emergency assistance")

    # Planned once per household and period: a unique constraint, so generating twice adds nothing.
    VISIT_KINDS = ("admin_visit", "head_visit")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="callbacks")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROBLEM)
    repair = models.ForeignKey(
        Repair, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    # Routine callbacks: the household and the resident to reach.
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routine_callbacks",
        verbose_name=_("unit"),
    )
    contact = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routine_callbacks",
        verbose_name=_("resident"),
    )
    # The repair whose works are followed up one to two months after completion (not `repair`:
    # that one is the problem callback's ticket, which the repair's own services look up).
    followup_repair = models.ForeignKey(
        Repair,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("repair followed up"),
    )
    # Visits: the first day of the quarter (administrators) or of the year's slot (office head).
    period_start = models.DateField(_("visit period"), null=True, blank=True)
    topic = models.CharField(_("about"), max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks_assigned",
        verbose_name=_("who calls"),
    )
    # Other complaints: the department supervisor calls together with the area administrator.
    second_caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks_second",
        verbose_name=_("calls together with"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due"))
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("resident's comment"), blank=True)
    confirmed_by_resident = models.BooleanField(_("resident confirmed the record"), default=False)
    completed_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("how"), max_length=16, default="phone")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        indexes = [
            models.Index(
                fields=["estate", "due_at"],
                condition=Q(status="pending"),
                name="callback_queue",
            ),
            # The dashboard's period: callbacks falling due between two times (tickets.kpis).
            models.Index(fields=["estate", "due_at"], name="callback_estate_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="callback_satisfaction_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["repair"],
                condition=Q(status="pending"),
                name="callback_one_pending_per_repair",
            ),
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(status="pending"),
                name="callback_one_pending_per_complaint",
            ),
            # A problem callback: exactly one ticket. A routine one: no ticket, a unit.
            models.CheckConstraint(
                condition=Q(kind="problem", repair__isnull=True, complaint__isnull=False)
                | Q(kind="problem", repair__isnull=False, complaint__isnull=True)
                | (
                    ~Q(kind="problem")
                    & Q(repair__isnull=True, complaint__isnull=True, unit__isnull=False)
                ),
                name="callback_for_a_repair_or_a_complaint",
            ),
            models.CheckConstraint(
                condition=Q(kind="repair_followup", followup_repair__isnull=False)
                | (~Q(kind="repair_followup") & Q(followup_repair__isnull=True)),
                name="callback_followup_names_its_repair",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=("admin_visit", "head_visit"))
                | Q(period_start__isnull=False),
                name="callback_visit_has_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "unit", "period_start"],
                condition=Q(kind__in=("admin_visit", "head_visit")),
                name="callback_visit_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["followup_repair"],
                condition=Q(followup_repair__isnull=False),
                name="callback_followup_once_per_repair",
            ),
            models.CheckConstraint(
                condition=~Q(status="done")
                | Q(completed_at__isnull=False, satisfaction__isnull=False),
                name="callback_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Callback')} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:callback-detail", args=[self.pk])

    @property
    def is_routine(self) -> bool:
        return self.kind != Callback.Kind.PROBLEM

    @property
    def ticket(self):
        if self.is_routine:
            return None
        return self.repair if self.repair_id else self.complaint

    @property
    def ticket_kind(self) -> str:
        """repair / complaint for a problem callback, else the routine kind."""
        if self.is_routine:
            return self.kind
        return "repair" if self.repair_id else "complaint"

    @property
    def subject(self) -> str:
        """What the call is about, in a line: the ticket, or the kind and the household."""
        if not self.is_routine:
            return str(self.ticket or "")
        return f"{self.get_kind_display()} {self.unit or ''} {self.topic}".strip()

    @property
    def resident(self):
        if self.is_routine:
            return self.contact
        return self.repair.reporter if self.repair_id else self.complaint.complainant

    @property
    def resident_name(self) -> str:
        if self.is_routine:
            return self.contact.name if self.contact_id else ""
        return self.repair.reporter_name if self.repair_id else self.complaint.complainant_name

    @property
    def phone(self) -> str:
        if self.is_routine:
            return self.contact.phone if self.contact_id else ""
        return self.repair.reporter_phone if self.repair_id else self.complaint.complainant_phone

    @property
    def dissatisfied(self) -> bool:
        return self.satisfaction is not None and is_dissatisfied(self.satisfaction)

    def call_advice(self, now, due_at=None, settings_row=None):
        """When to phone, given the estate's calling hours: now / before <t> / at <t>."""
        return call_advice(
            due_at=timezone.localtime(due_at or self.due_at),
            now=timezone.localtime(now),
            settings=settings_row or self.estate.service_settings,
        )


class CallbackAttempt(models.Model):
    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    callback = models.ForeignKey(Callback, on_delete=models.PROTECT, related_name="attempts")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # The dashboard's "reached on the first attempt": only failed attempts are looked up.
            models.Index(
                fields=["callback", "at"],
                condition=~Q(outcome="reached"),
                name="callback_attempt_failed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.outcome}"


class SecondHandling(models.Model):
    """After a dissatisfied callback the area administrator and the department head visit and
    handle it again (its own deadline, kind `callback.second_handling`, subject this row)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="second_handlings")
    callback = models.OneToOneField(
        Callback, on_delete=models.PROTECT, related_name="second_handling"
    )
    repair = models.ForeignKey(
        Repair, null=True, blank=True, on_delete=models.PROTECT, related_name="second_handlings"
    )
    complaint = models.ForeignKey(
        Complaint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="second_handlings",
    )
    area_admin = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="second_handlings_admin",
        verbose_name=_("area administrator"),
    )
    department_head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="second_handlings_head",
        verbose_name=_("department head"),
    )
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(_("handled again at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("what was done"), blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("second handling")
        verbose_name_plural = _("second handlings")
        constraints = [
            models.CheckConstraint(
                condition=Q(repair__isnull=True, complaint__isnull=False)
                | Q(repair__isnull=False, complaint__isnull=True),
                name="second_handling_for_a_repair_or_a_complaint",
            ),
        ]

    def __str__(self) -> str:
        ticket = self.repair if self.repair_id else self.complaint
        return f"{_('Second handling')} {ticket.number if ticket else ''}"

    def get_absolute_url(self) -> str:
        ticket = self.repair if self.repair_id else self.complaint
        return ticket.get_absolute_url() if ticket else ""

    @property
    def ticket(self):
        return self.repair if self.repair_id else self.complaint

    @property
    def is_open(self) -> bool:
        return self.done_at is None
