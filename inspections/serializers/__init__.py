"""API shapes of renovation: reads of each subject, and the input of each action (the shape
only; the services check the rest)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from inspections.models import (
    GoodsRelease,
    Patrol,
    PatrolItem,
    Rectification,
    Renovation,
    Scope,
    Verdict,
    WorkerPass,
)
from propserv.phones import phone_for


class RenovationSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.CharField(source="owner.name", read_only=True)
    contractor = serializers.CharField(source="contractor.name", read_only=True)
    responsible = serializers.CharField(source="responsible.name", read_only=True)
    responsible_phone = serializers.SerializerMethodField()

    class Meta:
        model = Renovation
        fields = [
            "id",
            "estate",
            "unit",
            "owner",
            "contractor",
            "responsible",
            "responsible_phone",
            "scope",
            "scope_other",
            "planned_start",
            "planned_end",
            "deposit",
            "status",
            "permit_number",
            "conditions",
            "rejection_reasons",
            "submitted_at",
            "decided_at",
            "completed_at",
            "refund_amount",
            "deductions",
        ]

    def get_responsible_phone(self, obj) -> str:
        return phone_for(self.context["request"].user, obj.responsible.phone)


class ApplySerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    owner = serializers.IntegerField(
        help_text="The owner: a resident `id` of the unit: GET /api/v1/residents/?unit=<code>."
    )
    responsible = serializers.IntegerField(
        help_text="The contractor's responsible person: a `people[].id` from GET /api/v1/contractors/."
    )
    scope = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    scope_other = serializers.CharField(required=False, allow_blank=True, default="")
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    deposit = serializers.DecimalField(max_digits=10, decimal_places=2)


class ApproveSerializer(serializers.Serializer):
    conditions = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reasons = serializers.CharField()


class PassSerializer(serializers.ModelSerializer):
    renovation = serializers.PrimaryKeyRelatedField(read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = WorkerPass
        fields = [
            "id",
            "renovation",
            "number",
            "name",
            "id_last4",
            "trade",
            "valid_from",
            "valid_until",
            "issued_at",
            "revoked_at",
            "revoked_reason",
            "confiscated_at",
            "state",
        ]

    def get_state(self, obj) -> str:
        return self.context["state"](obj)


class PassIssueSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    id_last4 = serializers.CharField(max_length=4)
    trade = serializers.ChoiceField(choices=WorkerPass.Trade.choices)
    valid_until = serializers.DateField()


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


@extend_schema_field(
    {
        "type": "object",
        "description": "The checklist: a verdict for each item code.",
        "properties": {
            item.value: {"type": "string", "enum": Verdict.values, "title": str(item.label)}
            for item in PatrolItem
        },
        "additionalProperties": False,
    }
)
class ItemsField(serializers.DictField):
    child = serializers.ChoiceField(choices=Verdict.choices)


class PatrolSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patrol
        fields = [
            "id",
            "renovation",
            "day",
            "slot",
            "window_start",
            "window_end",
            "done_at",
            "items",
            "notes",
        ]


class PatrolRecordSerializer(serializers.Serializer):
    items = ItemsField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    serious = serializers.BooleanField(required=False, default=False)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = [
            "id",
            "renovation",
            "number",
            "items",
            "description",
            "serious",
            "issued_at",
            "due_at",
            "status",
            "closed_at",
        ]


# Its own schema name: visits has a NoticeSerializer (a public notice) too.
@extend_schema_serializer(component_name="RenovationNotice")
class NoticeSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.ChoiceField(choices=PatrolItem.choices), required=False, default=list
    )
    description = serializers.CharField()
    serious = serializers.BooleanField(required=False, default=False)
    due_at = serializers.DateTimeField()


class ReinspectSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    next_due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DeductionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class AcceptanceSerializer(serializers.Serializer):
    items = ItemsField()
    deductions = DeductionSerializer(many=True, required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReleaseSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = GoodsRelease
        fields = [
            "id",
            "number",
            "unit",
            "carrier_kind",
            "carrier_name",
            "goods",
            "quantity",
            "vehicle",
            "valid_on",
            "issued_at",
            "used_at",
        ]


class ReleaseIssueSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    carrier_kind = serializers.ChoiceField(choices=GoodsRelease.Carrier.choices)
    carrier_name = serializers.CharField(max_length=64)
    goods = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1)
    vehicle = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    valid_on = serializers.DateField()
