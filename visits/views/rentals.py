"""Pages of the rental service (房屋租赁) and move-out (撤租): units to let and seekers (XLSX for
the meeting), a seeker's candidates (owners paid in full first), matches and viewings, the lease
filed (the tenant becomes a resident), and the move-out checklist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from propserv.access import may
from propserv.documents import Document, Grid, Heading, document_response
from propserv.exports import XLSX_TYPE, Column, Table, attachment, workbook_bytes
from propserv.roles import OFFICE, RECEPTION
from propserv.web import current_estate, form_errors_to_messages
from visits.forms import rentals as f
from visits.models import Lease, MoveOut, RentalListing, RentalMatch, RentalSeeker
from visits.selectors import rentals as selectors
from visits.services import moveout as moveout_services
from visits.services import rentals as services
from visits.views.common import no_estate, run

LISTING_COLUMNS = [
    Column("number", gettext_lazy("Number")),
    Column(lambda x: x.unit.code, gettext_lazy("Unit")),
    Column("asking_rent", gettext_lazy("Asking rent per month (¥)"), number_format="0.00"),
    Column("available_from", gettext_lazy("Available from")),
    Column(lambda x: "✓" if x.paid_in_full else "", gettext_lazy("Owner paid in full")),
    Column(lambda x: "✓" if x.by_attorney else "", gettext_lazy("Power of attorney")),
    Column("description", gettext_lazy("Description"), width=30),
]
SEEKER_COLUMNS = [
    Column("number", gettext_lazy("Number")),
    Column("name", pgettext_lazy("person", "Name")),
    Column("budget", gettext_lazy("Budget per month (¥)"), number_format="0.00"),
    Column("wanted_from", gettext_lazy("Wanted from")),
    Column("needs", gettext_lazy("Needs"), width=30),
]


def _rentals_document(estate, listings, seekers) -> Document:
    """The list taken to the rental meeting: units to let (owners paid in full marked) and
    seekers."""
    return Document(
        title=_("Rentals"),
        filename="rentals",
        subtitle=f"{estate.name} · {timezone.localdate():%Y-%m-%d}",
        blocks=[
            Heading(_("Units to let")),
            Grid(
                headings=[str(c.heading) for c in LISTING_COLUMNS[:6]],
                rows=[
                    [
                        c.key(x) if callable(c.key) else getattr(x, c.key)
                        for c in LISTING_COLUMNS[:6]
                    ]
                    for x in listings
                ],
            ),
            Heading(_("Rental seekers")),
            Grid(
                headings=[str(c.heading) for c in SEEKER_COLUMNS],
                rows=[[getattr(x, c.key) or "" for c in SEEKER_COLUMNS] for x in seekers],
            ),
        ],
    )


def _office(request, estate_id) -> None:
    if not may(request.user, estate_id, OFFICE):
        raise PermissionDenied


@login_required
def rentals(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    _office(request, estate)
    base = f"{reverse('visits:rentals')}?estate={estate.code}"
    listing_form = f.ListingForm(
        request.POST if request.POST.get("form") == "listing" else None,
        request.FILES or None,
        estate=estate,
    )
    seeker_form = f.SeekerForm(request.POST if request.POST.get("form") == "seeker" else None)
    if request.method == "POST":
        if listing_form.is_bound and listing_form.is_valid():
            data = listing_form.cleaned_data
            ok, listing = run(
                request,
                services.listing_register,
                estate=estate,
                actor=request.user,
                form=listing_form,
                ok_message=_("Unit registered to let."),
                **data,
            )
            if ok:
                return HttpResponseRedirect(listing.get_absolute_url())
        elif seeker_form.is_bound and seeker_form.is_valid():
            ok, seeker = run(
                request,
                services.seeker_register,
                estate=estate,
                actor=request.user,
                form=seeker_form,
                ok_message=_("Seeker registered."),
                **seeker_form.cleaned_data,
            )
            if ok:
                return HttpResponseRedirect(reverse("visits:rental-seeker", args=[seeker.pk]))
    listings = selectors.with_balance(
        RentalListing.objects.filter(estate=estate, status=RentalListing.Status.OPEN)
        .select_related("unit", "owner")
        .order_by("available_from", "pk")
    )
    listings = list(listings[:300])
    for listing in listings:
        listing.paid_in_full = listing.owed <= 0
    seekers = list(
        RentalSeeker.objects.filter(estate=estate, status=RentalSeeker.Status.OPEN).order_by(
            "registered_at"
        )[:300]
    )
    if request.GET.get("format") == "xlsx":
        body = workbook_bytes(
            [
                Table(_("Units to let"), LISTING_COLUMNS, listings, (estate.name,)),
                Table(_("Rental seekers"), SEEKER_COLUMNS, seekers, (estate.name,)),
            ]
        )
        return attachment(body, content_type=XLSX_TYPE, filename="rentals.xlsx")
    if request.GET.get("format") in ("print", "pdf"):
        return document_response(
            request,
            _rentals_document(estate, listings, seekers),
            fmt=request.GET["format"].replace("print", "html"),
        )
    leases = Lease.objects.filter(estate=estate).select_related("unit", "tenant")[:30]
    return render(
        request,
        "visits/rentals/index.html",
        {
            "estate": estate,
            "base": base,
            "listing_form": listing_form,
            "seeker_form": seeker_form,
            "can_create": may(request.user, estate, RECEPTION),
            "listings": listings,
            "seekers": seekers,
            "leases": leases,
        },
        status=400 if listing_form.errors or seeker_form.errors else 200,
    )


def _listing_or_404(request, pk) -> RentalListing:
    return get_object_or_404(
        RentalListing.objects.for_user(request.user).select_related("unit", "owner", "estate"),
        pk=pk,
    )


@login_required
def listing_detail(request, pk: int):
    listing = _listing_or_404(request, pk)
    _office(request, listing.estate_id)
    lease_form = f.LeaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and lease_form.is_valid():
        match = None
        if request.POST.get("match"):
            match = get_object_or_404(RentalMatch, pk=request.POST["match"], listing=listing)
        ok, lease = run(
            request,
            services.lease_file,
            estate=listing.estate,
            actor=request.user,
            unit=listing.unit,
            match=match,
            form=lease_form,
            ok_message=_("Lease filed: the tenant is now a resident of the unit."),
            **lease_form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(lease.get_absolute_url())
    matches = list(listing.matches.select_related("seeker").order_by("-proposed_at"))
    for match in matches:
        match.actions = services.match_allowed_actions(match, request.user)
    return render(
        request,
        "visits/rentals/listing.html",
        {
            "listing": listing,
            "owner_phone": selectors.owner_contact(request.user, listing),
            "actions": services.listing_allowed_actions(listing, request.user),
            "matches": matches,
            "lease_form": lease_form,
            "viewing_form": f.ViewingForm(),
            "outcome_form": f.OutcomeForm(),
            "leases": listing.leases.select_related("tenant"),
        },
        status=400 if lease_form.errors else 200,
    )


@login_required
def listing_attorney(request, pk: int):
    """The power of attorney, for the office only (uploads are never served from a public URL)."""
    listing = _listing_or_404(request, pk)
    _office(request, listing.estate_id)
    if not listing.attorney_file:
        raise Http404
    return FileResponse(
        listing.attorney_file.open("rb"), content_type=listing.attorney_content_type
    )


@login_required
def seeker_detail(request, pk: int):
    seeker = get_object_or_404(RentalSeeker.objects.for_user(request.user), pk=pk)
    _office(request, seeker.estate_id)
    candidates = selectors.candidates(seeker)
    for listing in candidates:
        listing.contact = selectors.owner_contact(request.user, listing)
    return render(
        request,
        "visits/rentals/seeker.html",
        {
            "seeker": seeker,
            "candidates": candidates,
            "matches": seeker.matches.select_related("listing__unit").order_by("-proposed_at"),
            "can_propose": seeker.status == RentalSeeker.Status.OPEN
            and may(request.user, seeker.estate_id, RECEPTION),
        },
    )


@login_required
@require_POST
def rental_action(request, pk: int, name: str):
    """A button of a listing, a seeker or a match."""
    if name == "withdraw":
        listing = _listing_or_404(request, pk)
        run(
            request,
            services.listing_withdraw,
            listing_id=listing.pk,
            actor=request.user,
            ok_message=_("Listing withdrawn."),
        )
        return HttpResponseRedirect(listing.get_absolute_url())
    if name == "propose":
        seeker = get_object_or_404(RentalSeeker.objects.for_user(request.user), pk=pk)
        run(
            request,
            services.match_propose,
            listing_id=int(request.POST.get("listing") or 0),
            seeker_id=seeker.pk,
            actor=request.user,
            ok_message=_("Unit proposed to the seeker."),
        )
        return HttpResponseRedirect(reverse("visits:rental-seeker", args=[seeker.pk]))
    match = get_object_or_404(RentalMatch.objects.for_user(request.user), pk=pk)
    back = reverse("visits:rental-listing", args=[match.listing_id])
    if name == "book":
        form = f.ViewingForm(request.POST)
        if form.is_valid():
            run(
                request,
                services.match_book_viewing,
                match_id=match.pk,
                actor=request.user,
                ok_message=_("Viewing booked."),
                **form.cleaned_data,
            )
        else:
            form_errors_to_messages(request, form)
    elif name in ("viewed", "decline"):
        run(
            request,
            services.match_record_viewing,
            match_id=match.pk,
            actor=request.user,
            interested=name == "viewed",
            outcome=request.POST.get("outcome", "")[:200],
            ok_message=_("Viewing recorded."),
        )
    else:
        raise Http404
    return HttpResponseRedirect(back)


@login_required
def lease_detail(request, pk: int):
    lease = get_object_or_404(
        Lease.objects.for_user(request.user).select_related(
            "unit", "tenant", "listing", "agency_charge", "filed_by"
        ),
        pk=pk,
    )
    _office(request, lease.estate_id)
    if request.method == "POST":
        run(
            request,
            services.lease_charge_agency_fee,
            lease_id=lease.pk,
            actor=request.user,
            ok_message=_("Agency fee charged on the unit's account."),
        )
        return HttpResponseRedirect(lease.get_absolute_url())
    if request.GET.get("file") and lease.document:
        return FileResponse(lease.document.open("rb"), content_type=lease.document_content_type)
    return render(
        request,
        "visits/rentals/lease.html",
        {
            "lease": lease,
            "actions": services.lease_allowed_actions(lease, request.user),
            "move_outs": lease.tenant.move_outs.all(),
            "can_move_out": lease.tenant.moved_out_on is None
            and may(request.user, lease.estate_id, RECEPTION),
        },
    )


@login_required
def move_outs(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    _office(request, estate)
    form = f.MoveOutStartForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, move_out = run(
            request,
            moveout_services.move_out_start,
            actor=request.user,
            form=form,
            ok_message=_("Move-out checklist opened."),
            **form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(move_out.get_absolute_url())
    show_all = request.GET.get("show") == "all"
    rows = MoveOut.objects.filter(estate=estate).select_related("unit", "tenant")
    if not show_all:
        rows = rows.filter(status=MoveOut.Status.OPEN)
    return render(
        request,
        "visits/rentals/move_outs.html",
        {
            "estate": estate,
            "form": form,
            "rows": rows[:300],
            "show_all": show_all,
            "can_create": may(request.user, estate, RECEPTION),
        },
        status=400 if form.errors else 200,
    )


@login_required
def move_out_detail(request, pk: int):
    move_out = get_object_or_404(
        MoveOut.objects.for_user(request.user).select_related("unit", "tenant", "estate"), pk=pk
    )
    _office(request, move_out.estate_id)
    if request.method == "POST":
        name = request.POST.get("action", "")
        note = request.POST.get("note", "")[:300]
        if name == "keys":
            call, kwargs, message = (
                moveout_services.move_out_keys_returned,
                {"note": note},
                _("Keys and passes returned."),
            )
        elif name == "inspect":
            call, kwargs, message = (
                moveout_services.move_out_inspected,
                {"note": note},
                _("Inspection recorded."),
            )
        elif name == "complete":
            form = f.MoveOutCompleteForm(request.POST)
            if not form.is_valid():
                form_errors_to_messages(request, form)
                return HttpResponseRedirect(move_out.get_absolute_url())
            call, kwargs, message = (
                moveout_services.move_out_complete,
                form.cleaned_data,
                _("The tenant has moved out."),
            )
        else:
            raise Http404
        run(
            request, call, move_out_id=move_out.pk, actor=request.user, ok_message=message, **kwargs
        )
        return HttpResponseRedirect(move_out.get_absolute_url())
    return render(
        request,
        "visits/rentals/move_out.html",
        {
            "move_out": move_out,
            "check": moveout_services.checklist(move_out),
            "actions": moveout_services.allowed_actions(move_out, request.user),
            "complete_form": f.MoveOutCompleteForm(
                initial={"moved_out_on": move_out.planned_on or timezone.localdate()}
            ),
        },
    )
