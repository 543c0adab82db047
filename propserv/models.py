"""The shared core: estates, buildings, units, residents, staff and their estates, per-estate
service settings, the working-day calendar, notifications and deadlines.

Every later module (repairs, complaints, callbacks, keys, fees, renovation, hand-over) hangs its
records off an Estate and, where it has a clock, off a Deadline row.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from propserv.deadline_rules import deadline_state

# A mainland mobile (11 digits from 13–19), a landline with its area code, or a local 7–8 digit
# number. The whole number: 1380013800 (a digit short) is refused.
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|[2-9]\d{6,7})$")


def phone_validator(value: str) -> None:
    """A function, not a RegexValidator, so that tightening the rule needs no migration."""
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            _(
                "Enter a mainland mobile number (11 digits starting with 1) or a landline such as 0755-12345678."
            ),
            code="invalid_phone",
        )


class Role(models.TextChoices):
    """Staff roles; each is a Django group of the same name."""

    FRONT_DESK = "frontdesk", _("Front-desk receptionist")
    AREA_ADMIN = "area_admin", _("Area administrator")
    SUPERVISOR = "supervisor", _("Customer-service supervisor")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    QUALITY = "quality", _("Quality department")
    GM = "gm", _("General manager")
    TECHNICIAN = "technician", _("Technician")
    PATROL = "patrol", _("Patrol guard")
    FINANCE = "finance", _("Finance")


class EstateQuerySet(models.QuerySet):
    def for_user(self, user) -> EstateQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(staff__user=user)


class Estate(models.Model):
    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")
        MIXED = "mixed", _("Mixed")

    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short code used in links and imports, e.g. CUIHU."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.RESIDENTIAL
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    service_phone = models.CharField(_("service-centre phone"), max_length=20, blank=True)
    emergency_phone = models.CharField(_("24-hour emergency phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def service_settings(self) -> EstateSettings:
        """The estate's settings, created with the DOMAIN.md defaults on first use (read once per
        Estate instance, i.e. once per request or task; no query at all after
        select_related("settings_row"))."""
        try:
            return self.settings_row
        except EstateSettings.DoesNotExist:
            obj, _created = EstateSettings.objects.get_or_create(estate=self)
            return obj


class EstateSettings(models.Model):
    """Every number of DOMAIN.md is a per-estate default; the modules read them from here."""

    estate = models.OneToOneField(
        Estate, on_delete=models.CASCADE, primary_key=True, related_name="settings_row"
    )
    # Repairs (§2) and the deadline engine
    urgent_arrival_minutes = models.PositiveIntegerField(
        _("urgent repair: arrival within (minutes)"), default=15
    )
    normal_arrival_minutes = models.PositiveIntegerField(
        _("other repair: arrival within (minutes)"), default=30
    )
    general_repair_hours = models.PositiveIntegerField(
        _("general repair: complete within (hours)"), default=2
    )
    difficult_repair_hours = models.PositiveIntegerField(
        _("difficult repair: complete within (hours)"), default=72
    )
    repair_callback_hours = models.PositiveIntegerField(
        _("repair callback within (hours)"), default=48
    )
    deadline_warn_percent = models.PositiveSmallIntegerField(
        _("warn when this share of the time has elapsed (%)"),
        default=67,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    escalation_step_minutes = models.PositiveIntegerField(
        _("escalate to the next level after (minutes)"),
        default=30,
        help_text=_(
            "A breached deadline goes to the supervisor at once, then to the project "
            "manager when still unmet after this long."
        ),
    )
    # Complaints (§3) and callbacks (§4)
    complaint_reply_working_days = models.PositiveSmallIntegerField(
        _("complaint reply within (working days)"), default=4
    )
    important_report_minutes = models.PositiveIntegerField(
        _("important complaint: report up within (minutes)"), default=60
    )
    major_handle_days = models.PositiveSmallIntegerField(
        _("major complaint: answer within (days)"), default=2
    )
    important_handle_days = models.PositiveSmallIntegerField(
        _("important complaint: handle within (days)"), default=3
    )
    minor_handle_days = models.PositiveSmallIntegerField(
        _("minor complaint: handle within (days)"), default=2
    )
    invalid_reply_days = models.PositiveSmallIntegerField(
        _("invalid complaint: reply within (days)"), default=3
    )
    complaint_callback_days = models.PositiveSmallIntegerField(
        _("complaint callback within (days)"), default=3
    )
    complaint_upgrade_days = models.PositiveSmallIntegerField(
        _("open complaint becomes major after (days)"), default=30
    )
    monthly_report_day = models.PositiveSmallIntegerField(
        _("monthly complaint summary by day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    repeat_complaint_count = models.PositiveSmallIntegerField(
        _("repeat complaint: same matter this many times"), default=2
    )
    repeat_repair_count = models.PositiveSmallIntegerField(
        _("repeat repair: same unit and category this many times"), default=3
    )
    repeat_window_days = models.PositiveSmallIntegerField(_("repeat window (days)"), default=30)
    calling_hours_start = models.TimeField(_("calls to residents from"), default=dt.time(8, 0))
    calling_hours_end = models.TimeField(_("calls to residents until"), default=dt.time(21, 0))
    quiet_start = models.TimeField(_("lunch break: no calls from"), default=dt.time(12, 0))
    quiet_end = models.TimeField(_("lunch break: no calls until"), default=dt.time(14, 0))
    satisfaction_target_percent = models.PositiveSmallIntegerField(
        _("satisfaction target (%)"), default=95
    )
    effective_complaint_target_permille = models.PositiveSmallIntegerField(
        _("effective-complaint rate target (‰ of households)"), default=10
    )
    # Reception (§1, §8)
    handover_ack_minutes = models.PositiveIntegerField(
        _("shift handover: acknowledge within (minutes)"), default=30
    )
    emergency_notice_minutes = models.PositiveIntegerField(
        _("emergency notice: post within (minutes)"), default=30
    )
    # Keys (§5)
    key_loan_max_days = models.PositiveSmallIntegerField(
        _("key loan: longest without supervisor approval (days)"), default=3
    )
    key_overdue_escalate_days = models.PositiveSmallIntegerField(
        _("overdue key loan: to supervisor after (days)"), default=3
    )
    vacant_report_day = models.PositiveSmallIntegerField(
        _("vacant-unit monthly report by day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Fees (§6)
    fee_due_day = models.PositiveSmallIntegerField(
        _("monthly fee due by day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    arrears_notice_months = models.PositiveSmallIntegerField(
        _("public arrears notice after (months)"), default=6
    )
    # Renovation (§7)
    renovation_patrols_per_day = models.PositiveSmallIntegerField(
        _("renovation patrols per day"), default=2
    )
    summer_from_month = models.PositiveSmallIntegerField(
        _("summer patrol hours from month"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    summer_to_month = models.PositiveSmallIntegerField(
        _("summer patrol hours to month"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    summer_patrol_start = models.TimeField(_("summer patrol hours from"), default=dt.time(7, 0))
    summer_patrol_end = models.TimeField(_("summer patrol hours until"), default=dt.time(21, 0))
    winter_patrol_start = models.TimeField(_("winter patrol hours from"), default=dt.time(8, 0))
    winter_patrol_end = models.TimeField(_("winter patrol hours until"), default=dt.time(22, 0))
    debris_window_start = models.TimeField(_("debris removal from"), default=dt.time(16, 0))
    debris_window_end = models.TimeField(_("debris removal until"), default=dt.time(18, 0))
    # Hand-over (§9)
    new_owner_visit_days = models.PositiveSmallIntegerField(
        _("visit new owners within (days)"), default=3
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("estate service settings")
        verbose_name_plural = _("estate service settings")

    def __str__(self) -> str:
        return str(_("Settings of %(estate)s") % {"estate": self.estate})


class EstateScopedQuerySet(models.QuerySet):
    """Rows of the estates a user works for; a stranger's row simply is not there (404)."""

    estate_field = "estate"

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(**{f"{self.estate_field}__in": estate_ids_of(user)})


def estate_ids_of(user) -> list[int]:
    """The ids of the estates a staff member works for. A plain id list keeps every scoped query
    free of joins through the staff tables (those joins cost more to plan than to run)."""
    remembered = getattr(user, "_propserv_estate_ids", None)  # see access.remember_scope
    if remembered is not None:
        return remembered
    return list(
        StaffProfile.estates.through.objects.filter(staffprofile__user_id=user.pk).values_list(
            "estate_id", flat=True
        )
    )


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate")
    )
    code = models.CharField(_("building number"), max_length=16)
    name = models.CharField(_("name"), max_length=100, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "code"], name="building_code_unique_per_estate"
            )
        ]

    def __str__(self) -> str:
        return self.name or str(_("Building %(code)s") % {"code": self.code})


class Unit(models.Model):
    class Use(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")

    class Status(models.TextChoices):
        VACANT = "vacant", _("Vacant")
        SOLD = "sold", _("Sold, not moved in")
        OCCUPIED = "occupied", _("Occupied")
        RENOVATING = "renovating", _("Renovating")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="units", verbose_name=_("estate")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    code = models.CharField(
        _("unit code"), max_length=32, help_text=_("Building-entrance-room, e.g. 3-2-1502.")
    )
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=9, decimal_places=2)
    use = models.CharField(_("use"), max_length=16, choices=Use.choices, default=Use.RESIDENTIAL)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.VACANT
    )

    objects = EstateScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["estate", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="unit_code_unique_per_estate"),
            models.CheckConstraint(
                condition=Q(area_m2__gt=Decimal("0")), name="unit_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def in_estate(cls, estate, code: str) -> Unit | None:
        """The unit of `estate` with this code (as typed: surrounding spaces ignored), or None.
        Ordered by pk: .first() would otherwise sort by the model's ordering (estate name, code),
        joining the estate for a lookup that finds one row at most."""
        code = code.strip()
        return cls.objects.filter(estate=estate, code=code).order_by("pk").first() if code else None


class ResidentQuerySet(EstateScopedQuerySet):
    def current(self, on: dt.date | None = None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=on))


class Resident(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        TENANT = "tenant", _("Tenant")
        FAMILY = "family", _("Family member")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="residents", verbose_name=_("estate")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="residents", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    phone_invalid = models.BooleanField(_("phone number known to be wrong"), default=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OWNER)
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)

    objects = ResidentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [
            models.Index(fields=["estate", "phone"]),
            models.Index(fields=["estate", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True)
                | Q(moved_in_on__isnull=True)
                | Q(moved_out_on__gte=models.F("moved_in_on")),
                name="resident_moves_out_after_moving_in",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.code})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    """138****5678: enough to confirm with the caller, not enough to copy. A shorter (local or
    landline) number keeps only its last two digits, or it would show nearly whole."""
    digits = phone or ""
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 2:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    estates = models.ManyToManyField(
        Estate, related_name="staff", blank=True, verbose_name=_("works for estates")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


# --- Timelines ---------------------------------------------------------------------------------


class TimelineEvent(models.Model):
    """Base of every record's timeline (a repair's, a complaint's…): who did what, when, from which
    state to which. Append-only: corrections are new events."""

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=64, blank=True, help_text="who, when not a staff login"
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    subject_field = ""  # set by each subclass: its foreign key to the record of this timeline

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @classmethod
    def record(
        cls,
        subject,
        *,
        action: str,
        actor=None,
        at=None,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        data=None,
        actor_label: str = "",
        **fields,
    ):
        """Append one event to `subject`'s timeline. `actor` None (or anonymous) is the system or
        a resident, named by `actor_label`; `fields` are the subclass's own columns."""
        from propserv.access import staff_or_none  # access imports this module

        return cls.objects.create(
            **{cls.subject_field: subject},
            at=at or timezone.now(),
            actor=staff_or_none(actor),
            actor_label=actor_label,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data or {},
            **fields,
        )

    @property
    def actor_name(self) -> str:
        if self.actor_id:
            return self.actor.get_full_name() or self.actor.get_username()
        return self.actor_label


# --- Working-day calendar ----------------------------------------------------------------------


class CalendarYear(models.Model):
    """Where a year's holidays came from, and whether an admin has confirmed a provisional year."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("Official (State Council notice)")
        RULES = "rules", _("Computed from holiday rules")

    year = models.PositiveSmallIntegerField(primary_key=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    provisional = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a statutory holiday or a 调休 working weekend day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory holiday")
        WORKDAY = "workday", _("Adjusted working day (调休)")

    date = models.DateField(primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    @property
    def is_working_day(self) -> bool:
        return self.kind == self.Kind.WORKDAY


# --- Notifications ------------------------------------------------------------------------------


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        ALERT = "alert", _("Alert")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    estate = models.ForeignKey(
        Estate, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The same event never notifies the same person twice (a second sweep, a redelivered task).
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_event",
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            )
        ]

    def __str__(self) -> str:
        return self.title


# --- Deadlines ----------------------------------------------------------------------------------


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)

    def for_subject(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def for_model(self, model):
        """Deadlines of any `model` subject (narrow further with object_id__in=…)."""
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(estate__in=estate_ids_of(user))


class Deadline(models.Model):
    """A promise with a clock, owned by any record (a repair, a complaint, a key loan…).

    The row is the source of truth; the Celery beat sweep (propserv.deadlines.sweep) reads rows
    whose `next_check_at` has passed through a partial index and moves them on: warning, breach,
    escalation levels. `kind` names the DeadlinePolicy that decides who hears about it.
    """

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="deadlines")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=48)
    started_at = models.DateTimeField(_("counts from"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    max_escalation_level = models.PositiveSmallIntegerField(default=2)
    escalation_step = models.DurationField(default=dt.timedelta(minutes=30))
    # When the sweep must look at this row next; NULL once nothing more can happen.
    next_check_at = models.DateTimeField(null=True, blank=True)
    # Working-day deadlines that count over a provisional calendar year say so.
    working_days = models.BooleanField(default=False)
    provisional = models.BooleanField(_("provisional calendar"), default=False)
    # The inputs of the rule that computed due_at, so a policy or calendar change can recompute it.
    rule = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="deadline_sweep",
            ),
            models.Index(fields=["content_type", "object_id"], name="deadline_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("started_at")), name="deadline_due_after_start"
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def label(self) -> str:
        """What staff call this clock (from the policy registered for its kind)."""
        from propserv.deadlines import policy_for  # the engine imports this module

        return str(policy_for(self.kind).label or self.kind)

    def state(self, now: dt.datetime) -> str:
        """green / amber / red / met / met-late / cancelled, as the boards colour it."""
        return deadline_state(
            now=now,
            due_at=self.due_at,
            warn_at=self.warn_at,
            warned_at=self.warned_at,
            met_at=self.met_at,
            breached_at=self.breached_at,
            cancelled_at=self.cancelled_at,
        )


class DeadlineEscalation(models.Model):
    """One row per (deadline, level): level 0 is the warning, 1.. the breach escalations.

    The unique constraint is what makes a second sweep, a second beat or a redelivered task harmless:
    only the transaction that inserts the row sends the notifications for it.
    """

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    notified = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["deadline", "level"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "level"], name="deadline_level_once")
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} level {self.level}"
