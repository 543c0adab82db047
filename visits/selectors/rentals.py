"""Reads of the rental service, move-out and the gate: the units to propose to a seeker (owners
paid in full first, docs/domain.md "Front-desk services"), the desk's lists, the unit page's
panel and the lookup's hits. Every read stays within the user's estates."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from fees.models import LedgerEntry
from propserv.access import works_for
from propserv.phones import phone_for
from propserv.registry import LookupHit
from visits.models import GateVisitor, Lease, MoveOut, OfficeTenant, Parcel, RentalListing

MONEY = DecimalField(max_digits=14, decimal_places=2)


def with_balance(listings):
    """Each listing's unit balance (what its account owes) and whether its owner paid in full."""
    owed = (
        LedgerEntry.objects.filter(unit=OuterRef("unit_id"))
        .order_by()
        .values("unit_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return listings.annotate(
        owed=Coalesce(
            Subquery(owed, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY
        )
    )


def candidates(seeker, limit: int = 50) -> list[RentalListing]:
    """Open listings within the seeker's budget: units of owners paid in full first, then the
    cheapest."""
    listings = with_balance(
        RentalListing.objects.filter(
            estate_id=seeker.estate_id,
            status=RentalListing.Status.OPEN,
            asking_rent__lte=seeker.budget,
        ).select_related("unit", "owner")
    )
    found = sorted(listings[:limit], key=lambda x: (x.owed > 0, x.asking_rent, x.pk))
    for listing in found:
        listing.paid_in_full = listing.owed <= 0
    return found


def owner_contact(viewer, listing: RentalListing) -> str:
    """The owner's phone for a seeker's call, only with the owner's consent."""
    if not listing.contact_consent:
        return ""
    return phone_for(viewer, listing.owner.phone)


def unit_panel(request, unit):
    """The rental, move-out and gate story of a unit (the lookup's unit card)."""
    if unit is None or not works_for(request.user, unit.estate_id):
        return None
    listings = list(RentalListing.objects.filter(unit=unit).order_by("-registered_at")[:5])
    leases = list(
        Lease.objects.filter(unit=unit).select_related("tenant").order_by("-starts_on")[:5]
    )
    move_outs = list(
        MoveOut.objects.filter(unit=unit).select_related("tenant").order_by("-started_at")[:5]
    )
    parcels = list(
        Parcel.objects.filter(unit=unit)
        .exclude(status=Parcel.Status.COLLECTED)
        .order_by("-logged_at")[:5]
    )
    visitors = list(GateVisitor.objects.filter(unit=unit).order_by("-arrived_at")[:5])
    companies = list(OfficeTenant.objects.filter(unit=unit, active=True)[:5])
    if not (listings or leases or move_outs or parcels or visitors or companies):
        return None
    return {
        "listings": listings,
        "leases": leases,
        "move_outs": move_outs,
        "parcels": parcels,
        "visitors": visitors,
        "companies": companies,
    }


def lookup_hits(user, estate_ids, q: str):
    """A company of the tenant directory by the start of its name (the lobby desk)."""
    q = q.strip()
    if len(q) < 2:
        return []
    companies = OfficeTenant.objects.filter(
        estate_id__in=estate_ids, active=True, company__istartswith=q
    ).select_related("unit", "estate")[:5]
    return [
        LookupHit(
            kind=_("Office tenant"),
            title=c.company,
            url=reverse("visits:directory")
            + "?"
            + urlencode({"estate": c.estate.code, "q": c.company}),
            detail=_("Floor %(floor)s, unit %(unit)s") % {"floor": c.floor, "unit": c.unit.code},
        )
        for c in companies
    ]


def directory_find(estate, query: str) -> list[OfficeTenant]:
    """The lobby's question "where is company X?": matches by name, empty when unknown."""
    query = query.strip()
    if not query:
        return []
    return list(
        OfficeTenant.objects.filter(estate=estate, active=True)
        .filter(Q(company__icontains=query))
        .select_related("unit")
        .order_by("company")[:20]
    )


def resident_panel(request, resident):
    """A tenant's lease and move-out beside their name on the lookup page."""
    if (
        resident is None
        or resident.role != "tenant"
        or not works_for(request.user, resident.estate_id)
    ):
        return None
    lease = Lease.objects.filter(tenant=resident).first()
    move_out = MoveOut.objects.filter(tenant=resident).order_by("-started_at").first()
    if lease is None and move_out is None:
        return None
    return {"lease": lease, "move_out": move_out}
