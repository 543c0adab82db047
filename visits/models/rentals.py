"""Rental service (房屋租赁, docs/domain.md, "Front-desk services"): owners register units to let,
seekers register what they need, staff match them (units of owners paid in full first), arrange
viewings, and the signed lease is filed with the office, which makes the tenant a resident."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fees.models import Charge
from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit
from propserv.phones import phone_validator

USER = settings.AUTH_USER_MODEL


def money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def attorney_path(instance, filename: str) -> str:
    return f"rentals/{instance.estate_id}/attorney/{filename}"


def lease_path(instance, filename: str) -> str:
    return f"rentals/{instance.estate_id}/leases/{filename}"


class RentalListing(models.Model):
    """房源登记: an owner registers a unit to let, with or without consent to share contacts.
    An owner abroad lets through the office by a power of attorney (授权委托书), uploaded here."""

    class Status(models.TextChoices):
        OPEN = "open", _("To let")
        LET = "let", _("Let")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rental_listings", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="rental_listings", verbose_name=_("owner")
    )
    asking_rent = money(_("asking rent per month (¥)"))
    available_from = models.DateField(_("available from"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    contact_consent = models.BooleanField(_("owner agrees to share contacts"), default=False)
    by_attorney = models.BooleanField(_("let by the office under power of attorney"), default=False)
    attorney_file = models.FileField(_("power of attorney"), upload_to=attorney_path, blank=True)
    attorney_content_type = models.CharField(max_length=48, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("unit to let")
        verbose_name_plural = _("units to let")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(status="open"), name="rental_listing_one_open_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(asking_rent__gt=0), name="rental_listing_rent_positive"
            ),
            models.CheckConstraint(
                condition=Q(by_attorney=False) | ~Q(attorney_file=""),
                name="rental_listing_attorney_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit.code}"

    def get_absolute_url(self) -> str:
        return reverse("visits:rental-listing", args=[self.pk])

    @property
    def number(self) -> str:
        return f"FY{self.pk:06d}" if self.pk else ""


class RentalSeeker(models.Model):
    """求租登记: someone looking for a unit to rent, and what they need."""

    class Status(models.TextChoices):
        OPEN = "open", _("Looking")
        HOUSED = "housed", _("Housed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    budget = money(_("budget per month (¥)"))
    needs = models.CharField(_("needs"), max_length=300, blank=True)
    wanted_from = models.DateField(_("wanted from"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("rental seeker")
        verbose_name_plural = _("rental seekers")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="rental_seeker_budget_positive")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        return f"QZ{self.pk:06d}" if self.pk else ""


class RentalMatch(models.Model):
    """A seeker proposed a unit to let: the viewing and its outcome."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed to the seeker")
        VIEWING = "viewing", _("Viewing booked")
        VIEWED = "viewed", _("Viewed")
        DECLINED = "declined", _("Declined")
        LEASED = "leased", _("Lease signed")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(RentalListing, on_delete=models.PROTECT, related_name="matches")
    seeker = models.ForeignKey(RentalSeeker, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    viewing_at = models.DateTimeField(_("viewing at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("rental match")
        verbose_name_plural = _("rental matches")
        constraints = [
            models.UniqueConstraint(fields=["listing", "seeker"], name="rental_match_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.listing} ↔ {self.seeker}"


class Lease(models.Model):
    """租赁合同备案: the signed lease filed with the office; its tenant is a resident of the unit
    from `starts_on` (propserv.Resident, role tenant)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="leases", verbose_name=_("unit")
    )
    listing = models.ForeignKey(RentalListing, on_delete=models.PROTECT, related_name="leases")
    match = models.OneToOneField(
        RentalMatch, null=True, blank=True, on_delete=models.PROTECT, related_name="lease"
    )
    tenant = models.OneToOneField(
        Resident, on_delete=models.PROTECT, related_name="lease", verbose_name=_("tenant")
    )
    monthly_rent = money(_("rent per month (¥)"))
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    document = models.FileField(_("signed lease"), upload_to=lease_path, blank=True)
    document_content_type = models.CharField(max_length=48, blank=True)
    agency_fee = money(_("agency fee (¥)"), default=0)
    agency_charge = models.OneToOneField(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="lease_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(monthly_rent__gt=0), name="lease_rent_positive"),
            models.CheckConstraint(condition=Q(agency_fee__gte=0), name="lease_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit.code}"

    def get_absolute_url(self) -> str:
        return reverse("visits:lease", args=[self.pk])

    @property
    def number(self) -> str:
        return f"ZL{self.pk:06d}" if self.pk else ""
