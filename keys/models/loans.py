"""Key loans (钥匙借用登记表), the unit inspection after a contractor's loan, rectifications."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models.cabinet import Key
from keys.models.common import USER
from keys.models.contractors import ContractorPerson
from propserv.models import Estate, EstateScopedQuerySet
from propserv.phones import phone_validator


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

    class CloseReason(models.TextChoices):
        """Why a loan closed other than by a staff borrower's return."""

        KEY_LOST = "key_lost", _("Key reported lost")
        INSPECTION_PASSED = "inspection_passed", _("Unit inspection passed")

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
        verbose_name=pgettext_lazy("keys", "received by"),
    )
    closed_at = models.DateTimeField(pgettext_lazy("keys", "closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("closed because"), max_length=20, choices=CloseReason.choices, blank=True
    )
    # Only text written before close_reason existed and not recognised by migration 0004.
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

    @property
    def close_label(self) -> str:
        """Why the loan closed, in the reader's language."""
        return str(self.get_close_reason_display()) if self.close_reason else self.close_note

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
