"""API shapes of rentals, move-out and the gate. Create serializers take codes and ids and
resolve them within the user's estates (another estate's unit: refused as unknown)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from propserv.models import Resident, Unit
from propserv.phones import phone_for
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

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def resolve_estate(estates, code: str):
    estate = next((e for e in estates if e.code == code), None)
    if estate is None:
        raise serializers.ValidationError({"estate": [_("Unknown estate.")]})
    return estate


def resolve_unit(estate, code: str, field: str = "unit", required: bool = True):
    code = (code or "").strip()
    if not code and not required:
        return None
    unit = Unit.in_estate(estate, code)
    if unit is None:
        raise serializers.ValidationError({field: [_("There is no such unit in this estate.")]})
    return unit


class ListingSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    owner_phone = serializers.SerializerMethodField()

    class Meta:
        model = RentalListing
        fields = [
            "id",
            "number",
            "estate",
            "unit",
            "owner",
            "owner_name",
            "owner_phone",
            "asking_rent",
            "available_from",
            "description",
            "contact_consent",
            "by_attorney",
            "status",
            "registered_at",
        ]

    def get_owner_phone(self, obj) -> str:
        """Only with the owner's consent, and masked for roles that do not see phones."""
        request = self.context.get("request")
        if not obj.contact_consent or request is None:
            return ""
        return phone_for(request.user, obj.owner.phone)


class ListingCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    unit = serializers.CharField(max_length=32)
    owner = serializers.IntegerField(
        help_text="A resident `id` (an owner of the unit): GET /api/v1/residents/?unit=<code>."
    )
    asking_rent = serializers.DecimalField(**MONEY)
    available_from = serializers.DateField()
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    contact_consent = serializers.BooleanField(required=False, default=False)
    by_attorney = serializers.BooleanField(required=False, default=False)
    attorney = serializers.FileField(required=False, allow_null=True, default=None)

    def resolve(self, estates) -> dict:
        data = dict(self.validated_data)
        estate = resolve_estate(estates, data.pop("estate"))
        unit = resolve_unit(estate, data.pop("unit"))
        owner = Resident.objects.filter(pk=data.pop("owner"), estate=estate).first()
        if owner is None:
            raise serializers.ValidationError({"owner": [_("Unknown resident.")]})
        return {**data, "estate": estate, "unit": unit, "owner": owner}


class SeekerSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = RentalSeeker
        fields = ["id", "number", "estate", "name", "phone", "budget", "needs", "wanted_from"]
        fields += ["status", "registered_at"]

    def get_phone(self, obj) -> str:
        request = self.context.get("request")
        return phone_for(request.user if request else None, obj.phone)


class SeekerCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    phone = serializers.CharField(max_length=20)
    budget = serializers.DecimalField(**MONEY)
    needs = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    wanted_from = serializers.DateField(required=False, allow_null=True, default=None)


class MatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = RentalMatch
        fields = ["id", "listing", "seeker", "status", "proposed_at", "viewing_at", "outcome"]


class MatchCreateSerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    seeker = serializers.IntegerField()


class ViewingSerializer(serializers.Serializer):
    viewing_at = serializers.DateTimeField()


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LeaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tenant_name = serializers.CharField(source="tenant.name", read_only=True)
    moved_in_on = serializers.DateField(source="tenant.moved_in_on", read_only=True)
    moved_out_on = serializers.DateField(source="tenant.moved_out_on", read_only=True)

    class Meta:
        model = Lease
        fields = [
            "id",
            "number",
            "estate",
            "unit",
            "listing",
            "match",
            "tenant",
            "tenant_name",
            "moved_in_on",
            "moved_out_on",
            "monthly_rent",
            "signed_on",
            "starts_on",
            "ends_on",
            "agency_fee",
            "agency_charge",
            "filed_at",
        ]


class LeaseCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    unit = serializers.CharField(max_length=32)
    match = serializers.IntegerField(required=False, allow_null=True, default=None)
    tenant_name = serializers.CharField(max_length=64)
    tenant_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    monthly_rent = serializers.DecimalField(**MONEY)
    signed_on = serializers.DateField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    document = serializers.FileField(required=False, allow_null=True, default=None)

    def resolve(self, estates) -> dict:
        data = dict(self.validated_data)
        estate = resolve_estate(estates, data.pop("estate"))
        unit = resolve_unit(estate, data.pop("unit"))
        match_id = data.pop("match")
        match = None
        if match_id:
            match = RentalMatch.objects.filter(pk=match_id, estate=estate).first()
            if match is None:
                raise serializers.ValidationError({"match": [_("Unknown match.")]})
        return {**data, "estate": estate, "unit": unit, "match": match}


class MoveOutSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MoveOut
        fields = [
            "id",
            "number",
            "unit",
            "tenant",
            "planned_on",
            "status",
            "keys_returned_at",
            "inspected_at",
            "inspection_note",
            "completed_at",
            "moved_out_on",
        ]


class MoveOutCreateSerializer(serializers.Serializer):
    tenant = serializers.IntegerField(help_text="A resident `id` (role tenant).")
    planned_on = serializers.DateField()


class MoveOutNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MoveOutCompleteSerializer(serializers.Serializer):
    moved_out_on = serializers.DateField(required=False, allow_null=True, default=None)


class VisitorSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    company = serializers.SlugRelatedField(slug_field="company", read_only=True)

    class Meta:
        model = GateVisitor
        fields = ["id", "number", "name", "people", "purpose", "unit", "company", "host_name"]
        fields += ["host_agreed", "arrived_at", "left_at"]


class DestinationMixin:
    def destination(self, estate, data) -> dict:
        unit = resolve_unit(estate, data.pop("unit", ""), required=False)
        name = data.pop("company", "").strip()
        company = None
        if name:
            company = OfficeTenant.objects.filter(
                estate=estate, active=True, company__iexact=name
            ).first()
            if company is None:
                raise serializers.ValidationError(
                    {"company": [_("This company is not in the tenant directory.")]}
                )
        return {"unit": unit, "company": company}


class VisitorCreateSerializer(DestinationMixin, serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    people = serializers.IntegerField(min_value=1, max_value=50, default=1)
    id_last4 = serializers.CharField(max_length=4, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    host_name = serializers.CharField(max_length=64)
    host_agreed = serializers.BooleanField()

    def resolve(self, estates) -> dict:
        data = dict(self.validated_data)
        estate = resolve_estate(estates, data.pop("estate"))
        return {**data, **self.destination(estate, data), "estate": estate}


class OfficeTenantSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = OfficeTenant
        fields = ["id", "company", "floor", "unit", "active"]


class ParcelSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Parcel
        fields = ["id", "number", "kind", "description", "for_name", "unit", "left_by"]
        fields += ["logged_at", "status", "forwarded_at", "forwarded_to", "collected_at"]
        fields += ["collected_by_name"]


class ParcelCreateSerializer(DestinationMixin, serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=Parcel.Kind.choices)
    description = serializers.CharField(max_length=200)
    for_name = serializers.CharField(max_length=64)
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    left_by = serializers.CharField(max_length=64)

    def resolve(self, estates) -> dict:
        data = dict(self.validated_data)
        estate = resolve_estate(estates, data.pop("estate"))
        return {**data, **self.destination(estate, data), "estate": estate}


class ForwardSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=100)


class CollectSerializer(serializers.Serializer):
    collected_by = serializers.CharField(max_length=64)
