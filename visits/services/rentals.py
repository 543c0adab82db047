"""Rental service (房屋租赁, docs/domain.md, "Front-desk services"): an owner registers a unit to
let (contacts shared only with consent; an owner abroad through a power of attorney), a seeker
registers a need, staff propose units (owners paid in full first: visits.selectors.rentals),
book and record viewings, and file the signed lease: the tenant becomes a resident of the unit
from the lease's start. The agency fee comes from the price list and is charged on the unit's
account through fees' one-off charge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fees.models import ChargeItem
from fees.services.charges import charge_add
from inspections.uploads import clean_document
from propserv.access import check_actor, may
from propserv.errors import InvalidTransition
from propserv.models import Resident
from propserv.roles import FEE_TARIFF_SETTERS, RECEPTION
from tickets.models import PriceItem
from visits.models import Lease, RentalListing, RentalMatch, RentalSeeker

# The price-list item (tickets.PriceItem code) of the rental agency fee, and the one-off charge
# item (fees.ChargeItem code) it is charged under.
AGENCY_PRICE_CODE = "rental-agency"
AGENCY_CHARGE_CODE = "rental-agency"
AGENCY_CHARGE_NAME = gettext_lazy("Rental agency fee")

L, M, S = RentalListing.Status, RentalMatch.Status, RentalSeeker.Status


def listing_allowed_actions(listing: RentalListing, user) -> set[str]:
    if listing.status != L.OPEN or not may(user, listing.estate_id, RECEPTION):
        return set()
    return {"withdraw", "lease"}


def match_allowed_actions(match: RentalMatch, user) -> set[str]:
    if not may(user, match.estate_id, RECEPTION):
        return set()
    return {
        M.PROPOSED: {"book", "viewed", "decline"},
        M.VIEWING: {"book", "viewed", "decline"},
        M.VIEWED: {"decline", "lease"},
    }.get(match.status, set())


def lease_allowed_actions(lease: Lease, user) -> set[str]:
    if lease.agency_charge_id or not lease.agency_fee:
        return set()
    return {"charge"} if may(user, lease.estate_id, FEE_TARIFF_SETTERS) else set()


def _positive(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        amount = Decimal("0")
    if amount <= 0:
        raise ValidationError({field: _("Enter an amount above zero.")})
    return amount


@transaction.atomic
def listing_register(
    *,
    estate,
    actor,
    unit,
    owner: Resident,
    asking_rent,
    available_from: dt.date,
    description: str = "",
    contact_consent: bool = False,
    by_attorney: bool = False,
    attorney=None,
    now=None,
) -> RentalListing:
    """The owner registers the unit to let. The owner must be a current owner of the unit; an owner
    abroad lets through the office under a power of attorney, whose signed copy is uploaded."""
    check_actor(actor, estate=estate, roles=RECEPTION)
    now = now or timezone.now()
    if unit is None or unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("Choose a unit of this estate.")})
    if (
        owner is None
        or owner.unit_id != unit.pk
        or owner.role != Resident.Role.OWNER
        or not Resident.objects.current().filter(pk=owner.pk).exists()
    ):
        raise ValidationError({"owner": _("Choose a current owner of this unit.")})
    rent = _positive(asking_rent, "asking_rent")
    content, content_type = (None, "")
    if by_attorney:
        if attorney is None:
            raise ValidationError(
                {"attorney": _("An owner abroad lets through a power of attorney: upload it.")}
            )
        content, content_type = clean_document(attorney)
    if RentalListing.objects.filter(unit=unit, status=L.OPEN).exists():
        raise ValidationError({"unit": _("This unit is already registered to let.")})
    listing = RentalListing(
        estate=estate,
        unit=unit,
        owner=owner,
        asking_rent=rent,
        available_from=available_from,
        description=description.strip()[:300],
        contact_consent=bool(contact_consent),
        by_attorney=bool(by_attorney),
        attorney_content_type=content_type,
        registered_at=now,
        registered_by=actor,
    )
    if content is not None:
        listing.attorney_file = content
    listing.save()
    return listing


@transaction.atomic
def listing_withdraw(*, listing_id: int, actor, now=None) -> RentalListing:
    listing = RentalListing.objects.select_for_update().get(pk=listing_id)
    check_actor(actor, estate=listing.estate_id, roles=RECEPTION)
    if listing.status == L.WITHDRAWN:
        return listing
    if listing.status != L.OPEN:
        raise InvalidTransition(_("This unit has been let."))
    listing.status, listing.closed_at = L.WITHDRAWN, now or timezone.now()
    listing.save(update_fields=["status", "closed_at"])
    return listing


@transaction.atomic
def seeker_register(
    *,
    estate,
    actor,
    name: str,
    phone: str,
    budget,
    needs: str = "",
    wanted_from: dt.date | None = None,
    now=None,
) -> RentalSeeker:
    check_actor(actor, estate=estate, roles=RECEPTION)
    if not name.strip():
        raise ValidationError({"name": _("Who is looking?")})
    seeker = RentalSeeker(
        estate=estate,
        name=name.strip(),
        phone=phone.strip(),
        budget=_positive(budget, "budget"),
        needs=needs.strip()[:300],
        wanted_from=wanted_from,
        registered_at=now or timezone.now(),
        registered_by=actor,
    )
    seeker.full_clean(exclude=["estate", "registered_by"])
    seeker.save()
    return seeker


@transaction.atomic
def match_propose(*, listing_id: int, seeker_id: int, actor, now=None) -> RentalMatch:
    """Propose a unit to a seeker (asking again returns the same match)."""
    listing = RentalListing.objects.select_for_update().get(pk=listing_id)
    check_actor(actor, estate=listing.estate_id, roles=RECEPTION)
    seeker = RentalSeeker.objects.filter(pk=seeker_id, estate_id=listing.estate_id).first()
    if seeker is None:
        raise ValidationError({"seeker": _("Choose a seeker of this estate.")})
    existing = RentalMatch.objects.filter(listing=listing, seeker=seeker).first()
    if existing is not None:
        return existing
    if listing.status != L.OPEN:
        raise InvalidTransition(_("This unit is no longer to let."))
    if seeker.status != S.OPEN:
        raise InvalidTransition(_("This seeker is no longer looking."))
    return RentalMatch.objects.create(
        estate_id=listing.estate_id,
        listing=listing,
        seeker=seeker,
        proposed_at=now or timezone.now(),
        proposed_by=actor,
    )


def _lock_match(match_id: int, actor) -> RentalMatch:
    match = RentalMatch.objects.select_for_update().select_related("listing").get(pk=match_id)
    check_actor(actor, estate=match.estate_id, roles=RECEPTION)
    return match


@transaction.atomic
def match_book_viewing(*, match_id: int, actor, viewing_at) -> RentalMatch:
    match = _lock_match(match_id, actor)
    if match.status not in (M.PROPOSED, M.VIEWING):
        raise InvalidTransition(_("A viewing can no longer be booked for this match."))
    if viewing_at is None:
        raise ValidationError({"viewing_at": _("When is the viewing?")})
    match.status, match.viewing_at = M.VIEWING, viewing_at
    match.save(update_fields=["status", "viewing_at"])
    return match


@transaction.atomic
def match_record_viewing(
    *, match_id: int, actor, interested: bool, outcome: str = ""
) -> RentalMatch:
    """After the viewing: the seeker is interested (a lease may follow) or declines."""
    match = _lock_match(match_id, actor)
    target = M.VIEWED if interested else M.DECLINED
    if match.status == target:
        return match
    if match.status not in (M.PROPOSED, M.VIEWING, M.VIEWED):
        raise InvalidTransition(_("This match is closed."))
    match.status, match.outcome = target, outcome.strip()[:200]
    match.save(update_fields=["status", "outcome"])
    return match


def agency_price(estate) -> PriceItem | None:
    return PriceItem.objects.filter(estate=estate, code=AGENCY_PRICE_CODE, active=True).first()


@transaction.atomic
def lease_file(
    *,
    estate,
    actor,
    unit,
    tenant_name: str,
    tenant_phone: str,
    monthly_rent,
    signed_on: dt.date,
    starts_on: dt.date,
    ends_on: dt.date,
    match: RentalMatch | None = None,
    document=None,
    now=None,
) -> Lease:
    """File the signed lease: the unit is let, the tenant becomes a resident of the unit (role
    tenant) from `starts_on`, the agency fee of the price list is noted and, when the actor may
    charge, charged on the unit's account at once (else `lease_charge_agency_fee` later).
    Refused for a unit whose owner has not registered it to let."""
    check_actor(actor, estate=estate, roles=RECEPTION)
    now = now or timezone.now()
    if unit is None or unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("Choose a unit of this estate.")})
    listing = RentalListing.objects.select_for_update().filter(unit=unit, status=L.OPEN).first()
    if listing is None:
        raise ValidationError(
            {
                "unit": _(
                    "The owner of %(unit)s has not registered it to let: a lease is filed only "
                    "for a unit its owner registered."
                )
                % {"unit": unit.code}
            }
        )
    if match is not None:
        match = RentalMatch.objects.select_for_update().get(pk=match.pk)
        if match.listing_id != listing.pk:
            raise ValidationError({"match": _("This match is for another unit.")})
        if match.status in (M.DECLINED, M.LEASED):
            raise InvalidTransition(_("This match is closed."))
    if not tenant_name.strip():
        raise ValidationError({"tenant_name": _("Who is the tenant?")})
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The lease must end after it starts.")})
    if signed_on > timezone.localdate(now):
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    rent = _positive(monthly_rent, "monthly_rent")
    content, content_type = clean_document(document) if document is not None else (None, "")
    tenant = Resident(
        estate=estate,
        unit=unit,
        name=tenant_name.strip(),
        phone=tenant_phone.strip(),
        role=Resident.Role.TENANT,
        moved_in_on=starts_on,
    )
    tenant.full_clean(exclude=["estate", "unit"])
    tenant.save()
    price = agency_price(estate)
    lease = Lease(
        estate=estate,
        unit=unit,
        listing=listing,
        match=match,
        tenant=tenant,
        monthly_rent=rent,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        document_content_type=content_type,
        agency_fee=price.price if price is not None else Decimal("0.00"),
        filed_at=now,
        filed_by=actor,
    )
    if content is not None:
        lease.document = content
    lease.save()
    listing.status, listing.closed_at = L.LET, now
    listing.save(update_fields=["status", "closed_at"])
    if match is not None:
        match.status = M.LEASED
        match.save(update_fields=["status"])
        RentalSeeker.objects.filter(pk=match.seeker_id).update(status=S.HOUSED)
    if lease.agency_fee and may(actor, estate, FEE_TARIFF_SETTERS):
        _charge(lease, actor)
    return lease


def _agency_item(estate) -> ChargeItem:
    item, _created = ChargeItem.objects.get_or_create(
        estate=estate,
        code=AGENCY_CHARGE_CODE,
        defaults={"name": str(AGENCY_CHARGE_NAME), "kind": ChargeItem.Kind.ONE_OFF},
    )
    return item


def _charge(lease: Lease, actor) -> None:
    lease.agency_charge = charge_add(
        unit=lease.unit,
        item=_agency_item(lease.estate),
        amount=lease.agency_fee,
        actor=actor,
        description=lease.number,
        on=timezone.localdate(),
    )
    lease.save(update_fields=["agency_charge"])


@transaction.atomic
def lease_charge_agency_fee(*, lease_id: int, actor) -> Lease:
    """Charge the lease's agency fee on the unit's account (once)."""
    lease = Lease.objects.select_for_update().select_related("unit", "estate").get(pk=lease_id)
    check_actor(actor, estate=lease.estate, roles=FEE_TARIFF_SETTERS)
    if lease.agency_charge_id:
        return lease
    if not lease.agency_fee:
        raise InvalidTransition(_("The price list has no agency fee for this lease."))
    _charge(lease, actor)
    return lease
