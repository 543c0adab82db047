"""Serializers of /api/v1/routine-callbacks/ and /api/v1/key-households/ (docs/domain.md,
Callbacks). Codes in, objects out: an estate, unit or resident the caller does not work for is
"unknown", never another estate's row."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from propserv.models import Resident, Unit
from propserv.web import estates_for
from tickets.models import Callback, KeyHousehold
from tickets.services.routine import PLANNED_KINDS


def resolve_estate(user, code: str):
    estate = estates_for(user).filter(code=code).first() if code else None
    if estate is None:
        raise serializers.ValidationError({"estate": [_("Unknown estate.")]})
    return estate


def resolve_unit(estate, code: str) -> Unit:
    unit = Unit.in_estate(estate, code or "")
    if unit is None:
        raise serializers.ValidationError({"unit": [_("Unknown unit.")]})
    return unit


def resolve_resident(unit, pk) -> Resident | None:
    if not pk:
        return None
    resident = Resident.objects.filter(pk=pk, unit=unit).first()
    if resident is None:
        raise serializers.ValidationError(
            {"resident": [_("This resident does not live in that unit.")]}
        )
    return resident


class GenerateVisitsSerializer(serializers.Serializer):
    estate = serializers.CharField(
        max_length=32, help_text="An estate's `code`: GET /api/v1/estates/."
    )
    kind = serializers.ChoiceField(choices=[(k, k) for k in Callback.VISIT_KINDS])
    on = serializers.DateField(
        required=False, allow_null=True, help_text="a day of the quarter or year (default today)"
    )


class GeneratedSerializer(serializers.Serializer):
    created = serializers.IntegerField()


class PlanCallbackSerializer(serializers.Serializer):
    estate = serializers.CharField(
        max_length=32, help_text="An estate's `code`: GET /api/v1/estates/."
    )
    kind = serializers.ChoiceField(choices=[(str(k), str(k)) for k in PLANNED_KINDS])
    unit = serializers.CharField(
        max_length=32, help_text="A unit's `code`: GET /api/v1/units/?estate=<code>."
    )
    resident = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A resident `id` of the unit: GET /api/v1/residents/?unit=<code>.",
    )
    topic = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)


class KeyHouseholdSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    resident_name = serializers.SerializerMethodField()

    class Meta:
        model = KeyHousehold
        fields = [
            "id",
            "estate",
            "unit",
            "resident",
            "resident_name",
            "reason",
            "added_at",
            "removed_at",
            "removed_reason",
        ]

    def get_resident_name(self, obj) -> str:
        return obj.resident.name if obj.resident_id else ""


class KeyHouseholdCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(
        max_length=32, help_text="An estate's `code`: GET /api/v1/estates/."
    )
    unit = serializers.CharField(
        max_length=32, help_text="A unit's `code`: GET /api/v1/units/?estate=<code>."
    )
    resident = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A resident `id` of the unit: GET /api/v1/residents/?unit=<code>.",
    )
    reason = serializers.CharField(max_length=200)


class KeyHouseholdRemoveSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="A key household's `id`: GET /api/v1/key-households/.")
    reason = serializers.CharField(max_length=200)
