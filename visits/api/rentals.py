"""/api/v1/rental-listings/, rental-seekers/, rental-matches/, leases/, move-outs/,
gate-visitors/, office-tenants/, parcels/: the same services as the desk's pages.

Every queryset is scoped to the user's estates (another estate's record is a 404); a service's
refusal goes through the shared DRF exception handler (propserv.rest): 409, 403 or 400."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from propserv.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from propserv.models import Resident
from propserv.rest import EstateScopedViewSetMixin
from propserv.web import estates_for
from visits.models import (
    GateVisitor,
    Lease,
    MoveOut,
    OfficeTenant,
    Parcel,
    RentalListing,
    RentalMatch,
    RentalSeeker,
)
from visits.selectors import rentals as rental_selectors
from visits.serializers import rentals as s
from visits.services import gate, moveout, rentals


def _data(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


class _Base(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    create_serializer = None

    def _respond(self, obj, code=status.HTTP_200_OK):
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=code)

    def _estates(self):
        return list(estates_for(self.request.user))


class ListingViewSet(_Base):
    queryset = RentalListing.objects.select_related("estate", "unit", "owner")
    serializer_class = s.ListingSerializer

    @extend_schema(
        request=s.ListingCreateSerializer,
        responses={201: s.ListingSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("visits.rental_listing")
    def create(self, request):
        data = _data(s.ListingCreateSerializer, request).resolve(self._estates())
        listing = rentals.listing_register(actor=request.user, **data)
        return self._respond(listing, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ListingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        listing = rentals.listing_withdraw(listing_id=self.get_object().pk, actor=request.user)
        return self._respond(listing)

    @extend_schema(
        responses=s.ListingSerializer(many=True),
        parameters=[OpenApiParameter("seeker", int, required=True, description="Seeker id")],
    )
    @action(detail=False, methods=["get"])
    def candidates(self, request):
        """Units to propose to a seeker: owners paid in full first, then the cheapest."""
        seeker_id = request.query_params.get("seeker", "")
        found = (
            RentalSeeker.objects.for_user(request.user).filter(pk=seeker_id).first()
            if seeker_id.isdigit()
            else None
        )
        if found is None:
            raise NotFound(_("No such seeker."))
        rows = rental_selectors.candidates(found)
        return Response(self.get_serializer(rows, many=True).data)


class SeekerViewSet(_Base):
    queryset = RentalSeeker.objects.select_related("estate")
    serializer_class = s.SeekerSerializer

    @extend_schema(
        request=s.SeekerCreateSerializer,
        responses={201: s.SeekerSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("visits.rental_seeker")
    def create(self, request):
        data = dict(_data(s.SeekerCreateSerializer, request).validated_data)
        data["estate"] = s.resolve_estate(self._estates(), data["estate"])
        seeker = rentals.seeker_register(actor=request.user, **data)
        return self._respond(seeker, status.HTTP_201_CREATED)


class MatchViewSet(_Base):
    queryset = RentalMatch.objects.all()
    serializer_class = s.MatchSerializer

    @extend_schema(request=s.MatchCreateSerializer, responses={201: s.MatchSerializer})
    def create(self, request):
        data = _data(s.MatchCreateSerializer, request).validated_data
        listing = RentalListing.objects.for_user(request.user).filter(pk=data["listing"]).first()
        if listing is None:
            raise ValidationError({"listing": _("No such unit to let.")})
        match = rentals.match_propose(
            listing_id=listing.pk, seeker_id=data["seeker"], actor=request.user
        )
        return self._respond(match, status.HTTP_201_CREATED)

    @extend_schema(request=s.ViewingSerializer, responses=s.MatchSerializer)
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        data = _data(s.ViewingSerializer, request).validated_data
        match = rentals.match_book_viewing(
            match_id=self.get_object().pk, actor=request.user, **data
        )
        return self._respond(match)

    @extend_schema(request=s.OutcomeSerializer, responses=s.MatchSerializer)
    @action(detail=True, methods=["post"])
    def viewed(self, request, pk=None):
        data = _data(s.OutcomeSerializer, request).validated_data
        match = rentals.match_record_viewing(
            match_id=self.get_object().pk, actor=request.user, interested=True, **data
        )
        return self._respond(match)

    @extend_schema(request=s.OutcomeSerializer, responses=s.MatchSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = _data(s.OutcomeSerializer, request).validated_data
        match = rentals.match_record_viewing(
            match_id=self.get_object().pk, actor=request.user, interested=False, **data
        )
        return self._respond(match)


class LeaseViewSet(_Base):
    queryset = Lease.objects.select_related("estate", "unit", "tenant")
    serializer_class = s.LeaseSerializer

    @extend_schema(
        request=s.LeaseCreateSerializer,
        responses={201: s.LeaseSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("visits.lease")
    def create(self, request):
        """File a signed lease: the tenant becomes a resident of the unit. Refused (400) for a
        unit its owner has not registered to let."""
        data = _data(s.LeaseCreateSerializer, request).resolve(self._estates())
        lease = rentals.lease_file(actor=request.user, **data)
        return self._respond(lease, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.LeaseSerializer)
    @action(detail=True, methods=["post"])
    def charge(self, request, pk=None):
        lease = rentals.lease_charge_agency_fee(lease_id=self.get_object().pk, actor=request.user)
        return self._respond(lease)


class MoveOutViewSet(_Base):
    queryset = MoveOut.objects.select_related("unit", "tenant")
    serializer_class = s.MoveOutSerializer

    @extend_schema(
        request=s.MoveOutCreateSerializer,
        responses={201: s.MoveOutSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("visits.move_out")
    def create(self, request):
        data = _data(s.MoveOutCreateSerializer, request).validated_data
        tenant = Resident.objects.for_user(request.user).filter(pk=data["tenant"]).first()
        if tenant is None:
            raise ValidationError({"tenant": _("No such tenant.")})
        move_out = moveout.move_out_start(
            tenant=tenant, actor=request.user, planned_on=data["planned_on"]
        )
        return self._respond(move_out, status.HTTP_201_CREATED)

    @extend_schema(request=s.MoveOutNoteSerializer, responses=s.MoveOutSerializer)
    @action(detail=True, methods=["post"])
    def keys(self, request, pk=None):
        data = _data(s.MoveOutNoteSerializer, request).validated_data
        obj = moveout.move_out_keys_returned(
            move_out_id=self.get_object().pk, actor=request.user, **data
        )
        return self._respond(obj)

    @extend_schema(request=s.MoveOutNoteSerializer, responses=s.MoveOutSerializer)
    @action(detail=True, methods=["post"])
    def inspect(self, request, pk=None):
        data = _data(s.MoveOutNoteSerializer, request).validated_data
        obj = moveout.move_out_inspected(
            move_out_id=self.get_object().pk, actor=request.user, **data
        )
        return self._respond(obj)

    @extend_schema(request=s.MoveOutCompleteSerializer, responses=s.MoveOutSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Close the residency; refused (400) while the unit's account owes anything."""
        data = _data(s.MoveOutCompleteSerializer, request).validated_data
        obj = moveout.move_out_complete(
            move_out_id=self.get_object().pk, actor=request.user, **data
        )
        return self._respond(obj)


class VisitorViewSet(_Base):
    queryset = GateVisitor.objects.select_related("unit", "company")
    serializer_class = s.VisitorSerializer

    @extend_schema(
        request=s.VisitorCreateSerializer,
        responses={201: s.VisitorSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("visits.gate_visitor")
    def create(self, request):
        """Register a visitor: refused (400) unless the host was called and agreed."""
        data = _data(s.VisitorCreateSerializer, request).resolve(self._estates())
        visitor = gate.visitor_register(actor=request.user, **data)
        return self._respond(visitor, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.VisitorSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        visitor = gate.visitor_leave(visitor_id=self.get_object().pk, actor=request.user)
        return self._respond(visitor)


class OfficeTenantViewSet(_Base):
    """The lobby's directory; `?q=` finds companies by name (an empty list: not found)."""

    queryset = OfficeTenant.objects.filter(active=True).select_related("unit")
    serializer_class = s.OfficeTenantSerializer

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Company name")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        q = self.request.query_params.get("q", "").strip()
        return qs.filter(company__icontains=q) if q else qs


class ParcelViewSet(_Base):
    queryset = Parcel.objects.select_related("unit")
    serializer_class = s.ParcelSerializer

    @extend_schema(
        request=s.ParcelCreateSerializer,
        responses={201: s.ParcelSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("visits.parcel")
    def create(self, request):
        data = _data(s.ParcelCreateSerializer, request).resolve(self._estates())
        parcel = gate.parcel_log(actor=request.user, **data)
        return self._respond(parcel, status.HTTP_201_CREATED)

    @extend_schema(request=s.ForwardSerializer, responses=s.ParcelSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        data = _data(s.ForwardSerializer, request).validated_data
        parcel = gate.parcel_forward(parcel_id=self.get_object().pk, actor=request.user, **data)
        return self._respond(parcel)

    @extend_schema(request=s.CollectSerializer, responses=s.ParcelSerializer)
    @action(detail=True, methods=["post"])
    def collect(self, request, pk=None):
        data = _data(s.CollectSerializer, request).validated_data
        parcel = gate.parcel_collect(parcel_id=self.get_object().pk, actor=request.user, **data)
        return self._respond(parcel)
