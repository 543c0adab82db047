"""Notices (通知, docs/domain.md, Notices): posted, written or by phone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Building, Estate, EstateScopedQuerySet, Resident, Unit

USER = settings.AUTH_USER_MODEL


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
        PENDING = "pending", pgettext_lazy("notice", "To call")
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
