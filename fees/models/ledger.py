"""The account ledger: one append-only row per money event (a PostgreSQL trigger refuses
UPDATE and DELETE; fees/migrations/0002_ledger_guards.py). A unit's balance is the sum of its
rows: positive = owed, negative = credit (docs/domain.md, "Fees")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fees.models.charges import Charge
from fees.models.common import money_field
from fees.models.payments import Payment
from propserv.models import Estate, EstateScopedQuerySet, Unit


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        CHARGE_CANCELLED = "charge_cancelled", _("Charge cancelled")
        PAYMENT = "payment", _("Payment")
        PAYMENT_REVERSED = "payment_reversed", _("Payment reversed")
        REFUND = "refund", _("Credit refunded")

    # The sign each kind carries (the service writes it; a CHECK keeps it honest).
    DEBITS = (Kind.CHARGE, Kind.PAYMENT_REVERSED, Kind.REFUND)

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = money_field(_("amount (¥)"))
    charge = models.ForeignKey(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=16, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["unit", "at"], include=["amount"], name="fees_ledger_unit")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["charge", "payment_reversed", "refund"]) & Q(amount__gt=0))
                | (Q(kind__in=["charge_cancelled", "payment"]) & Q(amount__lt=0)),
                name="fees_ledger_sign_by_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "charge"],
                condition=Q(charge__isnull=False),
                name="fees_ledger_once_per_charge",
            ),
            models.UniqueConstraint(
                fields=["kind", "payment"],
                condition=Q(payment__isnull=False) & ~Q(kind="refund"),
                name="fees_ledger_once_per_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.amount}"

    @property
    def kind_label(self) -> str:
        return self.Kind(self.kind).label
