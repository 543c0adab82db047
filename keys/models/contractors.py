"""Contractors (施工方) and their registered responsible persons, who alone may borrow keys."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models.common import ID_LAST4_HELP, USER
from propserv.models import Estate, EstateScopedQuerySet
from propserv.phones import phone_validator


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
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
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
