"""Owners: entrustment (业主留钥匙登记表), the confirmation call, the move-in key receipt."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models.cabinet import Key
from keys.models.common import ID_LAST4_HELP, USER
from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit
from propserv.phones import phone_validator


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
    received_at = models.DateTimeField(pgettext_lazy("keys", "received at"))
    received_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("keys", "received by"),
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
