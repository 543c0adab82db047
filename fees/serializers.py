"""The shapes of the fees API (docs/domain.md, "Fees"). Amounts are strings of Decimal, never
floats."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from fees import rules
from fees.models import Charge, Method, Payment

MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": True}


class ChargeSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    open_amount = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = Charge
        fields = [
            "id",
            "estate",
            "unit",
            "unit_id",
            "item",
            "item_name",
            "period",
            "due_on",
            "amount",
            "paid",
            "open_amount",
            "description",
            "issued_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class AllocationSerializer(serializers.Serializer):
    charge = serializers.IntegerField(source="charge_id")
    amount = serializers.DecimalField(**MONEY)


class PaymentSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    receipt_number = serializers.CharField(read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "estate",
            "unit",
            "unit_id",
            "amount",
            "unapplied",
            "refunded",
            "method",
            "reference",
            "payer_name",
            "receipt_number",
            "taken_at",
            "reversed_at",
            "reversal_reason",
            "allocations",
        ]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    # A string, checked by the service (sub-cent and negative amounts are refused in words).
    amount = serializers.CharField(max_length=20)
    method = serializers.ChoiceField(choices=Method.choices)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    payer_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    charges = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="`id`s of the unit's open charges to pay first: "
        "GET /api/v1/charges/?unit=<id>&open=true.",
    )
    keep_credit = serializers.BooleanField(required=False, default=False)

    def validate_amount(self, value):
        try:
            return str(rules.check_amount(value))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["amount"]) from None

    def digest(self) -> str:
        """The body's fingerprint for the idempotency key (same key, other body → 409)."""
        body = json.dumps(self.validated_data, sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class AccountSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField(source="pk")
    unit = serializers.CharField(source="code")
    estate = serializers.CharField(source="estate.code")
    balance = serializers.DecimalField(**MONEY)
    months_behind = serializers.IntegerField()
    ageing = serializers.DictField(child=serializers.DecimalField(**MONEY))
