"""Payments, their allocations to charges, refunds of credit, and the per-estate counters that
number receipts and arrears notices without gaps (docs/domain.md, "Fees").

`Payment.unapplied` is the prepayment credit still held, `refunded` the credit paid back:
allocations of a live payment plus those two always make its amount. A reversed payment keeps its rows (and its receipt
number); its allocations no longer count and the ledger carries the reversal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fees.models.charges import Charge
from fees.models.common import money_field
from propserv.models import Estate, EstateScopedQuerySet, Unit


class Counter(models.Model):
    """The last number given per estate, kind and year; its row is locked in the transaction
    that uses the next number, so a rolled-back payment leaves no gap."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        NOTICE = "notice", _("Arrears notice")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["estate", "kind", "year"], name="fees_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.kind} {self.year}: {self.last}"


class Method(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class Payment(models.Model):
    Method = Method

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="payments", verbose_name=_("unit")
    )
    amount = money_field(_("amount (¥)"))
    unapplied = money_field(_("credit held (¥)"), default=0)
    refunded = money_field(_("credit refunded (¥)"), default=0)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    reference = models.CharField(_("payer's reference"), max_length=64, blank=True)
    payer_name = models.CharField(_("paid by"), max_length=64, blank=True)
    receipt_year = models.PositiveSmallIntegerField()
    receipt_seq = models.PositiveIntegerField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"))
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 (NULL: no key, outside the partial unique index)
    request_hash = models.CharField(max_length=64, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["unit", "taken_at"], name="fees_payment_unit")]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "receipt_year", "receipt_seq"], name="fees_receipt_unique"
            ),
            models.UniqueConstraint(
                fields=["estate", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="fees_payment_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fees_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(unapplied__gte=0)
                & Q(refunded__gte=0)
                & Q(unapplied__lte=F("amount") - F("refunded")),
                name="fees_payment_unapplied_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def receipt_number(self) -> str:
        return f"{self.estate.code}-{self.receipt_year}-{self.receipt_seq:06d}"


class Allocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field(_("amount (¥)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fees_allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.charge_id}: {self.amount}"
