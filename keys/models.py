"""The key cabinet (钥匙管理, DOMAIN.md §5).

A `Key` is one labelled bunch in the cabinet. Every movement of a key is an append-only `KeyEvent`
(who, to whom, when, why, how many); the state stored on the key is derived from those events and
`keys.ledger` re-derives it to prove they agree. PostgreSQL enforces what must never happen: two
open loans of one key, negative counts, a lost or retired key lent, an event edited or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit
from propserv.phones import phone_validator

USER = settings.AUTH_USER_MODEL
ID_LAST4_HELP = _("Last 4 characters of the identity card, e.g. 123X.")


# --- contractors ------------------------------------------------------------------------------


class Contractor(models.Model):
    """A contractor (施工方) working in the estate; only its registered responsible persons
    may borrow keys."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="contractors", verbose_name=_("estate")
    )
    name = models.CharField(_("company"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    liaison = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our contact person"),
        help_text=_("The staff member who chases this contractor (overdue keys, rectifications)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="contractor_name_per_estate")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("keys:contractor", args=[self.pk])


class ContractorPersonQuerySet(EstateScopedQuerySet):
    estate_field = "contractor__estate"


class ContractorPerson(models.Model):
    """A contractor's registered responsible person (施工负责人)."""

    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="people", verbose_name=_("contractor")
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    id_last4 = models.CharField(_("ID card, last 4"), max_length=4, help_text=ID_LAST4_HELP)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContractorPersonQuerySet.as_manager()

    class Meta:
        ordering = ["contractor__name", "name"]
        verbose_name = _("contractor's responsible person")
        verbose_name_plural = _("contractors' responsible persons")

    def __str__(self) -> str:
        return f"{self.name} ({self.contractor.name})"

    def get_absolute_url(self) -> str:
        return reverse("keys:borrower-person", args=[self.pk])


# --- keys -------------------------------------------------------------------------------------


class KeyQuerySet(EstateScopedQuerySet):
    def held(self):
        """Keys the office physically answers for."""
        return self.filter(state__in=Key.HELD_STATES)


class Key(models.Model):
    class Kind(models.TextChoices):
        DEVELOPER = "developer", pgettext_lazy("keys", "Developer-handed (vacant or unsold unit)")
        ENTRUSTED = "entrusted", pgettext_lazy("keys", "Entrusted by the owner")
        COMMON = "common", pgettext_lazy("keys", "Common area")

    class State(models.TextChoices):
        AT_DESK = "at_desk", pgettext_lazy("keys", "At the front desk (awaiting hand-over)")
        IN_CABINET = "in_cabinet", pgettext_lazy("keys", "In the cabinet")
        ON_LOAN = "on_loan", pgettext_lazy("keys", "On loan")
        RETURNED_TO_OWNER = "returned_to_owner", pgettext_lazy("keys", "Returned to the owner")
        LOST = "lost", pgettext_lazy("keys", "Lost")
        RETIRED = "retired", pgettext_lazy("keys", "Retired")

    HELD_STATES = (State.AT_DESK, State.IN_CABINET, State.ON_LOAN)
    GONE_STATES = (State.RETURNED_TO_OWNER, State.LOST, State.RETIRED)

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="keys", verbose_name=_("estate")
    )
    tag_code = models.CharField(
        _("tag code"), max_length=40, help_text=_("Printed on the tag and its QR code.")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="keys",
        verbose_name=_("unit"),
    )
    area = models.CharField(
        _("common area"), max_length=100, blank=True, help_text=_("e.g. 3栋水泵房, 会所.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(
        _("what the bunch holds"), max_length=200, blank=True, help_text=_("e.g. 入户门 + 信箱")
    )
    count = models.PositiveSmallIntegerField(_("keys in the bunch"))
    in_cabinet_count = models.PositiveSmallIntegerField(_("keys in the cabinet"), default=0)
    slot = models.CharField(_("cabinet slot"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    owner = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entrusted_keys",
        verbose_name=pgettext_lazy("keys", "owner"),
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces key"),
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )

    objects = KeyQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "slot", "tag_code"]
        verbose_name = _("key")
        verbose_name_plural = _("keys")
        indexes = [models.Index(fields=["estate", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["estate", "tag_code"], name="key_tag_unique"),
            models.UniqueConstraint(
                fields=["estate", "slot"],
                condition=Q(state__in=["in_cabinet", "on_loan"]) & ~Q(slot=""),
                name="key_slot_holds_one_key",
            ),
            models.CheckConstraint(
                condition=Q(kind="common", unit__isnull=True) & ~Q(area="")
                | ~Q(kind="common") & Q(unit__isnull=False, area=""),
                name="key_opens_unit_or_common_area",
            ),
            models.CheckConstraint(
                condition=~Q(kind="entrusted") | Q(owner__isnull=False),
                name="key_entrusted_has_owner",
            ),
            # Counts never go negative and never exceed the bunch.
            models.CheckConstraint(
                condition=Q(in_cabinet_count__gte=0) & Q(in_cabinet_count__lte=F("count")),
                name="key_in_cabinet_within_count",
            ),
            # A key that is gone has nothing in the cabinet to lend.
            models.CheckConstraint(
                condition=~Q(state__in=["returned_to_owner", "lost", "retired", "at_desk"])
                | Q(in_cabinet_count=0),
                name="key_gone_has_nothing_in_cabinet",
            ),
            models.CheckConstraint(
                condition=~Q(state="in_cabinet") | Q(in_cabinet_count=F("count")),
                name="key_in_cabinet_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tag_code} · {self.opens}"

    def get_absolute_url(self) -> str:
        return reverse("keys:key", args=[self.pk])

    @property
    def opens(self) -> str:
        return self.unit.code if self.unit_id else self.area

    @property
    def is_held(self) -> bool:
        return self.state in self.HELD_STATES

    @property
    def out_count(self) -> int:
        return self.count - self.in_cabinet_count if self.state == self.State.ON_LOAN else 0

    def open_loan(self):
        return self.loans.filter(closed_at__isnull=True).select_related("lent_by").first()

    @property
    def current_loan(self):
        """The open loan, from `open_loans` when the queryset prefetched it."""
        if hasattr(self, "open_loans"):
            return self.open_loans[0] if self.open_loans else None
        return self.open_loan()


class KeyEventQuerySet(EstateScopedQuerySet):
    """Append-only: no bulk update or delete (PostgreSQL refuses them too, see migration 0002)."""

    def update(self, **kwargs):
        raise TypeError("key events are append-only; record a correcting event instead")

    def delete(self):
        raise TypeError("key events are append-only; record a correcting event instead")


class KeyEvent(models.Model):
    """One movement or fact in a key's life. Never edited, never deleted."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("keys", "Registered into the cabinet")
        ENTRUSTED = "entrusted", pgettext_lazy("keys", "Entrusted by the owner")
        HANDED_OVER = "handed_over", pgettext_lazy("keys", "Handed to the area administrator")
        MOVED = "moved", pgettext_lazy("keys", "Moved to another slot")
        LENT = "lent", pgettext_lazy("keys", "Lent")
        RETURNED = "returned", pgettext_lazy("keys", "Returned to the cabinet")
        INSPECTED = "inspected", pgettext_lazy("keys", "Unit inspected after a loan")
        LOAN_CLOSED = "loan_closed", pgettext_lazy("keys", "Loan closed")
        OWNER_CALL = "owner_call", pgettext_lazy("keys", "Owner phoned to confirm a collection")
        RETURNED_TO_OWNER = "returned_to_owner", pgettext_lazy("keys", "Returned to the owner")
        ISSUED_TO_OWNER = "issued_to_owner", pgettext_lazy("keys", "Issued to the owner at move-in")
        REPORTED_LOST = "reported_lost", pgettext_lazy("keys", "Reported lost")
        REPORTED_DAMAGED = "reported_damaged", pgettext_lazy("keys", "Reported damaged")
        OWNER_CONSENT = "owner_consent", pgettext_lazy("keys", "Owner consented to a lock change")
        LOCK_CHANGED = "lock_changed", pgettext_lazy("keys", "Lock changed")
        RETIRED = "retired", pgettext_lazy("keys", "Retired")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(
        Key, on_delete=models.PROTECT, related_name="events", verbose_name=_("key")
    )
    kind = models.CharField(
        pgettext_lazy("keys", "what happened"), max_length=20, choices=Kind.choices
    )
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    from_party = models.CharField(pgettext_lazy("keys", "from"), max_length=120, blank=True)
    to_party = models.CharField(pgettext_lazy("keys", "to"), max_length=120, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    count = models.PositiveSmallIntegerField(_("number of keys"), default=0)
    slot = models.CharField(_("cabinet slot"), max_length=16, blank=True)
    loan = models.ForeignKey(
        "KeyLoan", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KeyEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("key event")
        verbose_name_plural = _("key events")
        indexes = [models.Index(fields=["key", "at"])]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="keyevent_count_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.key.tag_code} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("key events are append-only; record a correcting event instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("key events are append-only; record a correcting event instead")


# --- loans ------------------------------------------------------------------------------------


class KeyLoanQuerySet(EstateScopedQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def out(self):
        return self.filter(status=KeyLoan.Status.OUT)

    def overdue(self, now):
        return self.out().filter(due_at__lt=now)


class KeyLoan(models.Model):
    """A line of the key loan register (钥匙借用登记表)."""

    class BorrowerKind(models.TextChoices):
        STAFF = "staff", pgettext_lazy("keys", "Staff member")
        CONTRACTOR = "contractor", pgettext_lazy("keys", "Contractor's responsible person")

    class Status(models.TextChoices):
        OUT = "out", pgettext_lazy("keys", "Out")
        AWAITING_INSPECTION = (
            "awaiting_inspection",
            pgettext_lazy("keys", "Returned, awaiting the unit inspection"),
        )
        RECTIFYING = "rectifying", pgettext_lazy("keys", "Inspection failed, contractor rectifying")
        CLOSED = "closed", pgettext_lazy("keys", "Closed")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(Key, on_delete=models.PROTECT, related_name="loans")
    borrower_kind = models.CharField(_("borrower is"), max_length=16, choices=BorrowerKind.choices)
    borrower_staff = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_loans",
        verbose_name=_("staff borrower"),
    )
    borrower_person = models.ForeignKey(
        ContractorPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("contractor's responsible person"),
    )
    borrower_name = models.CharField(_("borrower"), max_length=100)
    borrower_phone = models.CharField(
        _("borrower's phone"), max_length=20, validators=[phone_validator]
    )
    reason = models.CharField(_("reason"), max_length=200)
    related_ref = models.CharField(
        _("repair or renovation"),
        max_length=60,
        blank=True,
        help_text=_("The repair or renovation this loan is for, e.g. its number."),
    )
    count = models.PositiveSmallIntegerField(_("number of keys"))
    lent_at = models.DateTimeField(_("lent at"))
    lent_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("lent by")
    )
    due_at = models.DateTimeField(_("due back"))
    approved_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("longer loan approved by"),
    )
    approval_note = models.CharField(_("approval note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OUT
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("keys returned"), null=True, blank=True)
    received_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.CharField(_("closing note"), max_length=200, blank=True)

    objects = KeyLoanQuerySet.as_manager()

    class Meta:
        ordering = ["-lent_at", "-pk"]
        verbose_name = _("key loan")
        verbose_name_plural = _("key loans")
        constraints = [
            # A key is never on two open loans.
            models.UniqueConstraint(
                fields=["key"], condition=Q(closed_at__isnull=True), name="key_one_open_loan"
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="keyloan_count_positive"),
            models.CheckConstraint(
                condition=Q(returned_count__isnull=True) | Q(returned_count__gte=0),
                name="keyloan_returned_count_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=F("lent_at")), name="keyloan_due_after_lent"
            ),
            models.CheckConstraint(
                condition=Q(
                    borrower_kind="staff",
                    borrower_staff__isnull=False,
                    borrower_person__isnull=True,
                )
                | Q(
                    borrower_kind="contractor",
                    borrower_staff__isnull=True,
                    borrower_person__isnull=False,
                ),
                name="keyloan_one_borrower",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="keyloan_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["awaiting_inspection", "rectifying"])
                | Q(borrower_kind="contractor"),
                name="keyloan_inspection_only_for_contractors",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(key)s to %(borrower)s")
            % {"key": self.key.tag_code, "borrower": self.borrower_name}
        )

    def get_absolute_url(self) -> str:
        return reverse("keys:loan", args=[self.pk])

    @property
    def is_contractor(self) -> bool:
        return self.borrower_kind == self.BorrowerKind.CONTRACTOR

    def is_overdue(self, now) -> bool:
        return self.status == self.Status.OUT and now > self.due_at

    def borrower_url(self) -> str:
        if self.borrower_person_id:
            return reverse("keys:borrower-person", args=[self.borrower_person_id])
        return reverse("keys:borrower-staff", args=[self.borrower_staff_id])


class LoanInspectionQuerySet(EstateScopedQuerySet):
    estate_field = "loan__estate"


class LoanInspection(models.Model):
    """The patrol guard's check of a unit after a contractor returned its key."""

    loan = models.ForeignKey(KeyLoan, on_delete=models.PROTECT, related_name="inspections")
    inspected_at = models.DateTimeField(_("inspected at"))
    inspector = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspected by")
    )
    facilities_intact = models.BooleanField(_("facilities intact"))
    clean = models.BooleanField(_("clean"))
    passed = models.BooleanField(_("passed"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = LoanInspectionQuerySet.as_manager()

    class Meta:
        ordering = ["inspected_at", "pk"]
        verbose_name = _("unit inspection after a loan")
        verbose_name_plural = _("unit inspections after loans")
        constraints = [
            models.CheckConstraint(
                condition=Q(passed=True, facilities_intact=True, clean=True)
                | Q(passed=False) & (Q(facilities_intact=False) | Q(clean=False)),
                name="loaninspection_passed_means_all_ok",
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.inspected_at:%Y-%m-%d %H:%M}"


class RectificationQuerySet(EstateScopedQuerySet):
    estate_field = "loan__estate"

    def open(self):
        return self.filter(cleared_at__isnull=True)


class Rectification(models.Model):
    """What the contractor must put right before the loan can close (整改)."""

    loan = models.ForeignKey(KeyLoan, on_delete=models.PROTECT, related_name="rectifications")
    raised_by = models.OneToOneField(
        LoanInspection, on_delete=models.PROTECT, related_name="rectification"
    )
    description = models.CharField(_("to rectify"), max_length=300)
    cleared_by = models.ForeignKey(
        LoanInspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cleared_rectifications",
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return self.description


# --- owners: entrustment, phone confirmation, move-in receipt ---------------------------------


class OwnerCall(models.Model):
    """A logged phone call to the owner confirming someone else may collect the key."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(Key, on_delete=models.PROTECT, related_name="owner_calls")
    owner = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("number called"), max_length=20, validators=[phone_validator])
    called_at = models.DateTimeField(_("called at"))
    called_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by")
    )
    confirmed = models.BooleanField(_("the owner confirmed"))
    collector_name = models.CharField(_("person the owner named"), max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-called_at"]
        verbose_name = _("owner confirmation call")
        verbose_name_plural = _("owner confirmation calls")

    def __str__(self) -> str:
        return f"{self.key.tag_code} {self.called_at:%Y-%m-%d %H:%M}"


class Entrustment(models.Model):
    """A line of the owner key register (业主留钥匙登记表)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    key = models.OneToOneField(Key, on_delete=models.PROTECT, related_name="entrustment")
    owner = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="entrustments",
        verbose_name=pgettext_lazy("keys", "owner"),
    )
    owner_id_last4 = models.CharField(
        _("owner's ID card, last 4"), max_length=4, help_text=ID_LAST4_HELP
    )
    identity_checked = models.BooleanField(_("owner's identity checked"))
    reason = models.CharField(_("reason"), max_length=200)
    waiver_accepted = models.BooleanField(_("owner signed the waiver"))
    waiver_text = models.TextField(_("waiver"))
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    handed_over_at = models.DateTimeField(
        pgettext_lazy("keys", "handed over at"), null=True, blank=True
    )
    handed_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by (front desk)"),
    )
    handed_to = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by (area administrator)"),
    )
    released_at = models.DateTimeField(_("returned to the owner at"), null=True, blank=True)
    released_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    collector_is_owner = models.BooleanField(_("collected by the owner"), null=True, blank=True)
    collector_name = models.CharField(_("collected by"), max_length=64, blank=True)
    collector_id_last4 = models.CharField(
        _("collector's ID card, last 4"), max_length=4, blank=True
    )
    release_call = models.OneToOneField(
        OwnerCall, on_delete=models.PROTECT, null=True, blank=True, related_name="release"
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("owner key entrustment")
        verbose_name_plural = _("owner key entrustments")
        constraints = [
            models.CheckConstraint(
                condition=Q(identity_checked=True, waiver_accepted=True),
                name="entrustment_identity_and_waiver",
            ),
            models.CheckConstraint(
                condition=Q(
                    handed_over_at__isnull=True, handed_by__isnull=True, handed_to__isnull=True
                )
                | Q(handed_over_at__isnull=False, handed_by__isnull=False, handed_to__isnull=False),
                name="entrustment_handover_names_both",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | Q(collector_is_owner=True) & ~Q(collector_name="")
                | Q(collector_is_owner=False, release_call__isnull=False) & ~Q(collector_name=""),
                name="entrustment_release_by_owner_or_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key.tag_code} · {self.owner.name}"


class KeyReceipt(models.Model):
    """The move-in key receipt (钥匙签收单), printed in two copies: owner and file."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="key_receipts")
    owner = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="key_receipts")
    owner_id_last4 = models.CharField(_("owner's ID card, last 4"), max_length=4)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    keys = models.ManyToManyField(Key, through="KeyReceiptLine", related_name="receipts")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("move-in key receipt")
        verbose_name_plural = _("move-in key receipts")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("keys:receipt", args=[self.pk])

    @property
    def number(self) -> str:
        return f"KR{timezone.localtime(self.issued_at):%Y%m%d}-{self.pk:05d}"


class KeyReceiptLine(models.Model):
    receipt = models.ForeignKey(KeyReceipt, on_delete=models.PROTECT, related_name="lines")
    key = models.OneToOneField(Key, on_delete=models.PROTECT, related_name="receipt_line")
    count = models.PositiveSmallIntegerField(_("number of keys"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="receiptline_count_positive")
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.key_id} ×{self.count}"


# --- lost or damaged keys ---------------------------------------------------------------------


class KeyIncident(models.Model):
    """A lost or damaged key: report → owner's consent → lock change → old key retired, new
    key registered."""

    class Kind(models.TextChoices):
        LOST = "lost", pgettext_lazy("keys", "Lost")
        DAMAGED = "damaged", pgettext_lazy("keys", "Damaged")

    class Status(models.TextChoices):
        REPORTED = "reported", pgettext_lazy("keys", "Reported, waiting for the owner's consent")
        CONSENTED = (
            "consented",
            pgettext_lazy("keys", "Owner consented, waiting for the lock change"),
        )
        CLOSED = "closed", pgettext_lazy("keys", "Lock changed, new key registered")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(Key, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    description = models.CharField(pgettext_lazy("keys", "what happened"), max_length=300)
    responsible_party = models.CharField(
        _("responsible party"),
        max_length=100,
        help_text=_("Who changes the lock and bears the cost, e.g. the borrower's company."),
    )
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    consent_by = models.CharField(_("consent given by"), max_length=64, blank=True)
    consent_how = models.CharField(_("how consent was given"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("consent at"), null=True, blank=True)
    lock_changed_by = models.CharField(_("lock changed by"), max_length=100, blank=True)
    lock_changed_at = models.DateTimeField(_("lock changed at"), null=True, blank=True)
    new_key = models.OneToOneField(
        Key,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new key"),
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("lost or damaged key")
        verbose_name_plural = _("lost or damaged keys")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(status="closed"), name="keyincident_one_open_per_key"
            ),
            models.CheckConstraint(
                condition=Q(status="reported") | Q(consent_at__isnull=False) & ~Q(consent_by=""),
                name="keyincident_consent_before_lock_change",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | Q(lock_changed_at__isnull=False, new_key__isnull=False),
                name="keyincident_closed_has_new_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key.tag_code} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("keys:incident", args=[self.pk])


# --- vacant units -----------------------------------------------------------------------------


class VacantInspection(models.Model):
    """One planned inspection of a vacant unit whose key we hold, in a given month."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="vacant_inspections")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    planned_on = models.DateField(_("planned on"))
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspected by"),
    )
    clean = models.BooleanField(_("clean"), null=True)
    facilities_ok = models.BooleanField(_("facilities intact"), null=True)
    problem = models.CharField(_("problem found"), max_length=300, blank=True)
    referred_to = models.CharField(_("passed to department"), max_length=64, blank=True)
    resolved_at = models.DateTimeField(_("problem resolved at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "unit__code"]
        verbose_name = _("vacant-unit inspection")
        verbose_name_plural = _("vacant-unit inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"], name="vacant_inspection_once_a_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="vacant_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.month:%Y-%m}"

    @property
    def has_problem(self) -> bool:
        return bool(self.problem)
