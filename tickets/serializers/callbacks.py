"""Serializers of /api/v1/callbacks/ (docs/domain.md, Callbacks)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from tickets.models import (
    Callback,
    CallbackAttempt,
    SecondHandling,
)
from tickets.serializers.common import viewer_phone


class CallbackAttemptSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CallbackAttempt
        fields = ["at", "actor", "outcome", "note"]


class SecondHandlingSerializer(serializers.ModelSerializer):
    area_admin = serializers.SlugRelatedField(slug_field="username", read_only=True)
    department_head = serializers.SlugRelatedField(slug_field="username", read_only=True)
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SecondHandling
        fields = [
            "id",
            "area_admin",
            "department_head",
            "due_at",
            "created_at",
            "done_at",
            "done_by",
            "outcome",
        ]


class CallbackQueueSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # repair / complaint for a problem callback, else the routine kind (admin_visit …)
    kind = serializers.CharField(source="ticket_kind", read_only=True)
    ticket = serializers.SerializerMethodField()
    ticket_id = serializers.SerializerMethodField()
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    resident_name = serializers.CharField(read_only=True)
    phone = serializers.SerializerMethodField()
    phone_invalid = serializers.SerializerMethodField()
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True)
    second_caller = serializers.SlugRelatedField(slug_field="username", read_only=True)
    completed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    call_advice = serializers.SerializerMethodField()
    attempts = CallbackAttemptSerializer(many=True, read_only=True)
    second_handling = serializers.SerializerMethodField()

    class Meta:
        model = Callback
        fields = [
            "id",
            "estate",
            "kind",
            "ticket",
            "ticket_id",
            "unit",
            "period_start",
            "topic",
            "status",
            "due_at",
            "call_advice",
            "resident_name",
            "phone",
            "phone_invalid",
            "assigned_to",
            "second_caller",
            "satisfaction",
            "comment",
            "confirmed_by_resident",
            "completed_at",
            "completed_by",
            "attempts",
            "second_handling",
        ]

    def get_ticket(self, obj) -> str | None:
        return obj.ticket.number if obj.ticket else None

    def get_ticket_id(self, obj) -> int | None:
        return obj.ticket.pk if obj.ticket else None

    def get_phone(self, obj) -> str:
        return viewer_phone(self.context, obj.phone)

    def get_phone_invalid(self, obj) -> bool:
        return bool(obj.resident and obj.resident.phone_invalid)

    def get_call_advice(self, obj) -> dict | None:
        """now / before <time> (due inside a quiet window) / at <time> (quiet now)."""
        if obj.status != Callback.Status.PENDING:
            return None
        cache = self.context.setdefault("_estate_settings", {})
        if obj.estate_id not in cache:
            cache[obj.estate_id] = obj.estate.service_settings
        advice = obj.call_advice(timezone.now(), settings_row=cache[obj.estate_id])
        return {"kind": advice.kind, "at": advice.at.isoformat() if advice.at else None}

    def get_second_handling(self, obj) -> dict | None:
        second = getattr(obj, "second_handling", None)
        return SecondHandlingSerializer(second).data if second else None


class AttemptSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallbackAttempt.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class CompleteCallbackSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    confirmed_by_resident = serializers.BooleanField(default=False)


class AssignCallersSerializer(serializers.Serializer):
    assigned_to = serializers.CharField(
        help_text="username of a colleague: GET /api/v1/staff/?estate=<code>."
    )
    second_caller = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="username (optional): GET /api/v1/staff/?estate=<code>.",
    )


class SecondHandlingDoneSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000)
