"""Reception (客户来访接待): the duty log and everything the front desk records besides repairs.

- Visit: one contact in the duty log (值班记录), owned by whoever received it (首问负责制) until it is
  resolved and the resident called back; it may become a repair or a complaint (linked both ways).
- Handover / HandoverItem: the shift handover log (交接班记录): open entries change owner only when
  the next shift acknowledges them.
- Defect / DefectEvent: the after-sales rework form (物业返修联系单) and its fix → inspection → owner
  re-acceptance loop.
- LostItem (物品招领登记), Incident (突发事件记录), Notice / NoticeCall (通知).

Every history is append-only: state changes write an event row, nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Building, Estate, EstateScopedQuerySet, Resident, TimelineEvent, Unit
from propserv.phones import mask_phone, phone_validator
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
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    # First-contact ownership: changes only through an acknowledged handover or a transfer.
    owner = models.ForeignKey(
        USER,
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


# What each timeline action code means to the staff reading the timeline (a context of its own:
# the bare words are used elsewhere with other meanings).
EVENT_ACTION_LABELS = {
    "received": pgettext_lazy("timeline", "received"),
    "note": pgettext_lazy("timeline", "note"),
    "resolved": pgettext_lazy("timeline", "resolved"),
    "called_back": pgettext_lazy("timeline", "called back"),
    "closed": pgettext_lazy("timeline", "closed"),
    "owner_changed": pgettext_lazy("timeline", "owner changed"),
    "to_repair": pgettext_lazy("timeline", "became a repair"),
    "to_complaint": pgettext_lazy("timeline", "became a complaint"),
    "to_defect": pgettext_lazy("timeline", "became a defect rework form"),
    "pm_noted": pgettext_lazy("timeline", "seen by the project manager"),
    "handed_over": pgettext_lazy("timeline", "handed over"),
    "created": pgettext_lazy("timeline", "created"),
    "sent": pgettext_lazy("timeline", "sent to the developer"),
    "fixed": pgettext_lazy("timeline", "reported fixed"),
    "inspection_passed": pgettext_lazy("timeline", "inspection passed"),
    "inspection_failed": pgettext_lazy("timeline", "inspection failed"),
    "owner_accepted": pgettext_lazy("timeline", "accepted by the owner"),
    "owner_refused": pgettext_lazy("timeline", "refused by the owner"),
}


def event_action_label(action: str) -> str:
    """The translated label of a timeline action code (the code itself when unknown)."""
    return EVENT_ACTION_LABELS.get(action, action)


class VisitEvent(TimelineEvent):
    """The entry's timeline: received, note, ownership moves, conversions, resolved, called back."""

    subject_field = "visit"
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="events")

    class Meta(TimelineEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.visit_id} {self.action}"

    @property
    def action_label(self) -> str:
        return event_action_label(self.action)


# --- shift handover ------------------------------------------------------------------------------


class Handover(models.Model):
    """The shift handover log: the open entries owned by the outgoing shift, until the next shift
    acknowledges them (and so becomes their owner)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="handovers")
    handed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    members = models.ManyToManyField(
        USER, related_name="+", verbose_name=_("outgoing shift"), blank=True
    )
    handed_at = models.DateTimeField(_("handed over at"))
    note = models.TextField(_("shift notes"), max_length=2000, blank=True)
    acknowledged_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_at", "-id"]
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="handover_ack_has_who_and_when",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Handover')} {self.handed_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("visits:handover", args=[self.pk])

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class HandoverItem(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="items")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="handover_items")
    from_owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit__received_at"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "visit"], name="handover_item_once"),
            # An entry waits in at most one unacknowledged handover.
            models.UniqueConstraint(
                fields=["visit"],
                condition=Q(acknowledged_at__isnull=True),
                name="handover_item_one_pending_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}: {self.visit_id}"


# --- after-sales defects -------------------------------------------------------------------------


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
    subject_field = "defect"

    defect = models.ForeignKey(Defect, on_delete=models.PROTECT, related_name="events")
    round = models.PositiveSmallIntegerField()

    class Meta(TimelineEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.defect_id} {self.action}"

    @property
    def action_label(self) -> str:
        return event_action_label(self.action)


# --- lost and found, incidents -------------------------------------------------------------------


class LostItem(models.Model):
    """物品招领登记: found property held at the desk until its owner collects it."""

    class Status(models.TextChoices):
        HELD = "held", _("Held at the desk")
        RETURNED = "returned", _("Returned to its owner")
        DISPOSED = "disposed", _("Handed on / disposed of")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="lost_items")
    description = models.CharField(_("found item"), max_length=200)
    found_at = models.DateTimeField(_("found at"))
    found_where = models.CharField(_("found where"), max_length=200)
    found_by = models.CharField(_("found by"), max_length=64)
    kept_where = models.CharField(_("kept where"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.HELD
    )
    claimant_name = models.CharField(_("collected by"), max_length=64, blank=True)
    claimant_phone = models.CharField(
        _("collector's phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    claimant_proof = models.CharField(_("how ownership was checked"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.CharField(_("note"), max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("lost-and-found item")
        verbose_name_plural = _("lost and found")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="held", closed_at__isnull=True)
                | ~Q(status="held") & Q(closed_at__isnull=False),
                name="lost_item_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(claimant_name=""),
                name="lost_item_returned_to_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"

    @property
    def number(self) -> str:
        return f"SW{self.pk:06d}" if self.pk else ""

    @property
    def masked_claimant_phone(self) -> str:
        return mask_phone(self.claimant_phone)


class Incident(models.Model):
    """突发事件记录: major security incidents, equipment events and official visits."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("Fire")
        LIFT_TRAPPED = "lift_trapped", _("People trapped in a lift")
        EXPLOSION = "explosion", _("Explosion")
        POWER_CUT = "power_cut", _("Sudden power cut")
        FLOODING = "flooding", _("Flooding")
        THEFT = "theft", _("Theft or vandalism")
        CRIME = "crime", _("Criminal case")
        COLLECTIVE_COMPLAINT = "collective_complaint", _("Collective complaint")
        PLANT_FAILURE = "plant_failure", _("Main plant failure")
        STRUCTURE = "structure", _("Damage to the building structure")
        OFFICIAL_VISIT = "official_visit", _("Official visit")
        OTHER = "other", _("Other major event")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("happened at"))
    location = models.CharField(_("where"), max_length=200)
    description = models.TextField(_("what happened"), max_length=4000)
    actions_taken = models.TextField(_("actions taken"), max_length=4000, blank=True)
    plan_activated = models.BooleanField(_("emergency plan activated"), default=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), max_length=4000, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incident record")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(outcome=""),
                name="incident_closed_has_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()} {self.location}"

    def get_absolute_url(self) -> str:
        return reverse("visits:incident", args=[self.pk])

    @property
    def number(self) -> str:
        return f"SJ{self.pk:06d}" if self.pk else ""


# --- notices -------------------------------------------------------------------------------------


class Notice(models.Model):
    """通知: posted (numbered, approved by the project manager, with validity), written (to the
    mailboxes) or by phone (a call list with an outcome per household)."""

    class Kind(models.TextChoices):
        POSTED = "posted", _("Posted notice")
        WRITTEN = "written", _("Written notice (mailboxes)")
        PHONE = "phone", _("Phone notice")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft, awaiting approval")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="notices")
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("building (empty: whole estate)"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    emergency = models.BooleanField(_("emergency"), default=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "year", "seq"],
                condition=Q(seq__isnull=False),
                name="notice_number_unique",
            ),
            models.CheckConstraint(
                condition=~Q(kind="posted", published_at__isnull=False)
                | Q(approved_at__isnull=False, seq__isnull=False),
                name="notice_posted_only_when_approved",
            ),
            models.CheckConstraint(
                condition=~Q(kind="posted")
                | Q(valid_from__isnull=False, valid_until__isnull=False),
                name="notice_posted_has_validity",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="notice_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("visits:notice", args=[self.pk])

    @property
    def number(self) -> str:
        return f"TZ-{self.year}-{self.seq:03d}" if self.seq else ""


class NoticeCall(models.Model):
    """One household on a phone notice's call list."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("To call")
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="calls")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "unit"], name="notice_call_once_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.unit_id} {self.outcome}"


class NoticeCallAttempt(models.Model):
    """Every call made for a phone notice (the call row keeps the latest outcome)."""

    call = models.ForeignKey(NoticeCall, on_delete=models.PROTECT, related_name="attempt_log")
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=NoticeCall.Outcome.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.call_id} {self.outcome}"
