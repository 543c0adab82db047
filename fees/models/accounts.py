"""A unit's fee account: the row every money change of the unit locks first (so concurrent
payments on one unit queue up and the balance stays exact), and who pays (docs/domain.md, "Fees":
the owner by default; a tenant by agreement, the owner staying jointly liable)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit


class Account(models.Model):
    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, primary_key=True, related_name="fee_account"
    )
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payer by agreement"),
        help_text=_("Empty: the owner pays."),
    )
    agreement = models.CharField(_("payer agreement"), max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("fee account")
        verbose_name_plural = _("fee accounts")

    def __str__(self) -> str:
        return str(self.unit)


class OwnerChange(models.Model):
    """A change of owner on the account: the old owner's balance settled (nothing owed) or
    explicitly carried to the new owner, recorded with who decided."""

    class Decision(models.TextChoices):
        SETTLED = "settled", _("Settled before the change")
        CARRIED = "carried", _("Carried to the new owner")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="owner_changes")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    old_owner = models.CharField(_("old owner"), max_length=64)
    new_owner = models.CharField(_("new owner"), max_length=64)
    balance = models.DecimalField(_("balance at the change (¥)"), max_digits=12, decimal_places=2)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change of owner")
        verbose_name_plural = _("changes of owner")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="settled") | models.Q(balance__lte=0),
                name="fees_owner_change_settled_means_nothing_owed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.old_owner} → {self.new_owner}"
