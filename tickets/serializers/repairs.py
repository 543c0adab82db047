"""The repair API's representations (docs/domain.md, Repairs)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from propserv.models import Deadline, Resident, Unit
from propserv.phones import phone_for
from propserv.web import estates_for
from tickets.models import Repair, RepairCategory, RepairEvent
from tickets.selectors.repairs import phone_of
from tickets.serializers.common import (
    DEADLINE_COLUMNS,
    DeadlineSerializer,
    deadline_dict,
    deadline_representation,
    decimal,
    iso,
)


class RepairEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action_label = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)

    class Meta:
        model = RepairEvent
        fields = [
            "at",
            "actor",
            "action",
            "action_label",
            "from_status",
            "to_status",
            "detail",
            "note",
            "data",
        ]

    def get_actor(self, obj) -> str:
        if obj.actor_id:
            return obj.actor.get_full_name() or obj.actor.username
        return obj.actor_label


class RepairSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    technician = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reporter_phone = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()

    class Meta:
        model = Repair
        fields = [
            "id",
            "number",
            "tracking_code",
            "estate",
            "unit",
            "location",
            "reporter_name",
            "reporter_phone",
            "channel",
            "category",
            "urgent",
            "urgency_reason",
            "difficulty",
            "description",
            "preferred_visit_at",
            "status",
            "received_at",
            "technician",
            "dispatched_at",
            "arrived_at",
            "started_at",
            "completed_at",
            "closed_at",
            "hold_reason",
            "hold_until",
            "cancel_reason",
            "chargeable",
            "quoted_amount",
            "consent_at",
            "labour_minutes",
            "materials",
            "fee",
            "signed_by",
            "reopen_count",
            "deadlines",
        ]

    def get_reporter_phone(self, obj) -> str:
        request = self.context.get("request")
        if request is None:
            return phone_for(None, obj.reporter_phone)
        return phone_of(obj, request.user)

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, obj) -> list[dict]:
        # Prefetched by the views (one query for the whole page); sorted here, not in SQL.
        # Plain dicts, not a nested serializer per row: a list page has 150 of them.
        now = timezone.now()
        return [
            deadline_representation(d, now)
            for d in sorted(obj.deadlines.all(), key=lambda d: (d.started_at, d.pk))
        ]


# --- the same representation, built from .values() rows ------------------------------------------
# A list page is 50 repairs with 150 deadlines: model instances, related objects and DRF fields
# for each cost several times the queries themselves, so the API builds RepairSerializer's output
# directly from two .values() queries. RepairSerializer remains the documented schema;
# tests/tickets/test_repairs_api.py checks that the two outputs stay identical.

# The related rows' codes, read by scalar subqueries rather than joins: the same index lookups,
# but PostgreSQL takes ~2 ms to plan a five-table join, longer than it takes to run it.
RELATED_CODES = {"estate": "code", "unit": "code", "category": "code", "technician": "username"}
_DATETIMES = {
    f.name for f in Repair._meta.concrete_fields if f.get_internal_type() == "DateTimeField"
}
_DECIMALS = {
    f.name for f in Repair._meta.concrete_fields if f.get_internal_type() == "DecimalField"
}
# (column of the row, output name, conversion) for each of RepairSerializer's fields that is
# read from the row ("number" and "deadlines" are built from the id).
_OUTPUT = [
    (
        f"{name}_{RELATED_CODES[name]}" if name in RELATED_CODES else name,
        name,
        "datetime" if name in _DATETIMES else "decimal" if name in _DECIMALS else "",
    )
    for name in RepairSerializer.Meta.fields
    if name not in ("number", "deadlines")
]


def repair_row(repair: Repair) -> dict:
    """The `repair_rows` row of a repair already in memory (just created: no need to re-read it)."""
    row = {}
    for column, name, _conversion in _OUTPUT:
        value = getattr(repair, name)
        if name in RELATED_CODES and value is not None:
            value = getattr(value, RELATED_CODES[name])
        row[column] = value
    return row


def repair_rows(queryset):
    """`queryset` as the .values() rows `represent_repairs` takes (the list paginates these)."""
    codes = {
        f"{name}_{field}": Subquery(
            Repair._meta.get_field(name)
            .related_model.objects.filter(pk=OuterRef(f"{name}_id"))
            .values(field)
        )
        for name, field in RELATED_CODES.items()
    }
    return queryset.values(*(c for c, name, _ in _OUTPUT if name not in RELATED_CODES), **codes)


def represent_repairs(rows, user, now=None) -> list[dict]:
    """RepairSerializer's output for `repair_rows` rows; one more query, for all their deadlines."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    deadlines = defaultdict(list)
    if rows:
        for d in (
            Deadline.objects.for_model(Repair)
            .filter(object_id__in=[r["id"] for r in rows])
            .order_by("started_at", "pk")
            .values(*DEADLINE_COLUMNS)
        ):
            deadlines[d["object_id"]].append(deadline_dict(d, now, tz))
    out = []
    for row in rows:
        item = {"id": row["id"], "number": Repair.number_of(row["id"])}  # RepairSerializer's order
        for column, name, conversion in _OUTPUT:
            value = row[column]
            if conversion == "datetime":
                value = iso(value, tz)
            elif conversion == "decimal":
                value = decimal(value)
            item[name] = value
        own_job = user is not None and item.get("technician") == user.get_username()
        if not own_job:  # the technician calls the resident of their own job (selectors.phone_of)
            item["reporter_phone"] = phone_for(user, item["reporter_phone"])
        item["deadlines"] = deadlines[row["id"]]
        out.append(item)
    return out


class RepairDetailSerializer(RepairSerializer):
    events = RepairEventSerializer(many=True, read_only=True)

    class Meta(RepairSerializer.Meta):
        fields = [*RepairSerializer.Meta.fields, "events"]


class RepairCreateSerializer(serializers.Serializer):
    """Input of POST /api/v1/repairs/: codes, not ids, as the front desk reads them."""

    estate = serializers.CharField(
        required=False, help_text="estate code; optional when you work for one estate"
    )
    unit = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.CharField(
        help_text="code of a repair category of the estate: GET /api/v1/repair-categories/"
    )
    description = serializers.CharField(max_length=2000)
    channel = serializers.ChoiceField(
        choices=[c for c, _l in Repair._meta.get_field("channel").choices], default="phone"
    )
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=64)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    received_at = serializers.DateTimeField(required=False)
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None)
    urgency_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    difficulty = serializers.ChoiceField(
        choices=Repair.Difficulty.choices, default=Repair.Difficulty.GENERAL
    )
    preferred_visit_at = serializers.DateTimeField(required=False, allow_null=True)

    def resolve(self, user) -> dict:
        """Codes to objects of the user's estates (unknown -> a field error, never another
        estate's). With the estate code given — what the front-desk software sends — the estate,
        its settings and the category come in one query."""
        data = dict(self.validated_data)
        estate_code = data.pop("estate", None)
        category_code = data.pop("category")
        if estate_code:
            estate_filter = {"estate__in": estates_for(user), "estate__code": estate_code}
        else:
            estates = list(estates_for(user)[:2])
            if len(estates) != 1:
                raise serializers.ValidationError({"estate": [_("Give the estate code.")]})
            estate_filter = {"estate": estates[0]}
        category = (
            RepairCategory.objects.filter(code=category_code, active=True, **estate_filter)
            .select_related("estate__settings_row")
            .order_by("pk")  # one row at most: no sorting by the model's ordering (joins)
            .first()
        )
        if category is None:
            if estate_code and not estates_for(user).filter(code=estate_code).exists():
                raise serializers.ValidationError({"estate": [_("Unknown estate.")]})
            raise serializers.ValidationError({"category": [_("Unknown repair category.")]})
        estate = category.estate
        unit_code = data.pop("unit", "") or ""
        data["unit"] = None
        if unit_code:
            data["unit"] = Unit.in_estate(estate, unit_code)
            if data["unit"] is None:
                raise serializers.ValidationError(
                    {
                        "unit": [
                            _("No unit %(unit)s in %(estate)s.")
                            % {"unit": unit_code, "estate": estate.code}
                        ]
                    }
                )
            data["reporter"] = (
                Resident.objects.filter(unit=data["unit"], phone=data.get("reporter_phone") or "-")
                .order_by("pk")
                .first()
            )
        data["category"] = category
        data["estate"] = estate
        return data


class DispatchSerializer(serializers.Serializer):
    technician = serializers.CharField(
        help_text="username of a technician of the repair's estate: GET /api/v1/staff/?role=technician"
    )


class CompleteSerializer(serializers.Serializer):
    labour_minutes = serializers.IntegerField(min_value=0)
    materials = serializers.CharField(required=False, allow_blank=True, default="")
    signed_by = serializers.CharField(max_length=64)
    fee = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, min_value=0
    )


class HoldSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    until = serializers.DateTimeField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CallbackSerializer(serializers.Serializer):
    # An enum in the schema: 5 very satisfied … 1 very dissatisfied (≤ 2 reopens the repair).
    satisfaction = serializers.ChoiceField(
        choices=[5, 4, 3, 2, 1], help_text="5 very satisfied … 1 very dissatisfied"
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    confirmed_by_resident = serializers.BooleanField(default=False)


class QuoteLineSerializer(serializers.Serializer):
    price_item = serializers.IntegerField(
        help_text="id of an item of the estate's price list: GET /api/v1/price-list/"
    )
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))


class QuoteSerializer(serializers.Serializer):
    """Paid work priced from the published price list (never above it)."""

    lines = QuoteLineSerializer(many=True, allow_empty=False)


class ConsentSerializer(serializers.Serializer):
    resident_name = serializers.CharField(max_length=64, help_text="who agreed to the price")
