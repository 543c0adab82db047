"""Serializers of /api/v1/complaints/ and /api/v1/callbacks/."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from propserv.models import Resident, Unit
from propserv.phones import mask_phone
from propserv.roles import can_see_phones
from tickets.models import (
    Callback,
    CallbackAttempt,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintExtension,
    ComplaintReply,
    SecondHandling,
)
from tickets.serializers import DeadlineSerializer
from tickets.services.complaints import REPORTABLE_ROLES


def _phone(context, number: str) -> str:
    request = context.get("request")
    if request is not None and can_see_phones(request.user):
        return number
    return mask_phone(number)


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


class ComplaintEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "note", "data"]

    def get_actor(self, obj) -> str:
        return _name(obj.actor) if obj.actor_id else obj.actor_label


class ComplaintReplySerializer(serializers.ModelSerializer):
    replied_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    written = serializers.BooleanField(read_only=True)

    class Meta:
        model = ComplaintReply
        fields = ["id", "channel", "text", "replied_at", "replied_by", "written"]


class ComplaintExtensionSerializer(serializers.ModelSerializer):
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ComplaintExtension
        fields = ["grade", "old_due_at", "new_due_at", "reason", "approved_by", "approved_at"]


class ComplaintSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    graded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    same_matter_as = serializers.SerializerMethodField()
    complainant_phone = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    provisional = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "estate",
            "status",
            "channel",
            "complainant_kind",
            "complainant_name",
            "complainant_phone",
            "unit",
            "occurred_at",
            "occurred_place",
            "department",
            "against",
            "description",
            "request",
            "category",
            "written",
            "households",
            "injury_or_loss",
            "promise_broken",
            "apologised",
            "requested_by",
            "proposed_grade",
            "proposed_reasons",
            "grade",
            "grade_reason",
            "graded_at",
            "graded_by",
            "invalid_reason",
            "referred_to",
            "upgraded_at",
            "received_at",
            "owner",
            "reported_up_at",
            "reported_to",
            "first_reply_at",
            "handled_at",
            "outcome",
            "closed_at",
            "reopen_count",
            "same_matter_as",
            "repeat_count",
            "repeat_flagged",
            "provisional",
            "deadlines",
        ]

    def get_complainant_phone(self, obj) -> str:
        return _phone(self.context, obj.complainant_phone)

    def get_same_matter_as(self, obj) -> str | None:
        return f"TS{obj.same_matter_as_id:06d}" if obj.same_matter_as_id else None

    def _deadlines(self, obj):
        return sorted(obj.deadlines.all(), key=lambda d: (d.started_at, d.pk))

    def get_deadlines(self, obj) -> list[dict]:
        return DeadlineSerializer(self._deadlines(obj), many=True).data

    def get_provisional(self, obj) -> bool:
        """Any open deadline counted over a provisional calendar year."""
        return any(d.provisional for d in self._deadlines(obj) if d.is_open)


class ComplaintDetailSerializer(ComplaintSerializer):
    events = ComplaintEventSerializer(many=True, read_only=True)
    replies = ComplaintReplySerializer(many=True, read_only=True)
    extensions = ComplaintExtensionSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "replies", "extensions", "events"]


class ComplaintCreateSerializer(serializers.Serializer):
    """Input of POST /api/v1/complaints/: codes, not ids, as the front desk reads them."""

    estate = serializers.CharField(
        required=False, help_text="estate code; optional when you work for one estate"
    )
    unit = serializers.CharField(required=False, allow_blank=True)
    complainant_name = serializers.CharField(required=False, allow_blank=True, max_length=64)
    complainant_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    complainant_kind = serializers.ChoiceField(
        choices=Complaint.ComplainantKind.choices, default=Complaint.ComplainantKind.RESIDENT
    )
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)
    category = serializers.ChoiceField(choices=Complaint.Category.choices)
    description = serializers.CharField(max_length=4000)
    request = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    department = serializers.ChoiceField(
        choices=Complaint.Department.choices, default=Complaint.Department.OTHER
    )
    against = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    occurred_place = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    written = serializers.BooleanField(required=False, allow_null=True, default=None)
    households = serializers.IntegerField(min_value=1, max_value=9999, default=1)
    injury_or_loss = serializers.BooleanField(default=False)
    promise_broken = serializers.BooleanField(default=False)
    apologised = serializers.BooleanField(default=False)
    requested_by = serializers.DateTimeField(required=False, allow_null=True)
    received_at = serializers.DateTimeField(required=False)
    same_matter_as = serializers.CharField(required=False, allow_blank=True, max_length=12)

    def resolve(self, estates):
        """Turn codes into objects of the user's estates (unknown -> a field error)."""
        data = dict(self.validated_data)
        estate_code = data.pop("estate", None)
        if estate_code:
            estate = next((e for e in estates if e.code == estate_code), None)
        elif len(estates) == 1:
            estate = estates[0]
        else:
            raise serializers.ValidationError({"estate": [_("Give the estate code.")]})
        if estate is None:
            raise serializers.ValidationError({"estate": [_("Unknown estate.")]})
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
            data["complainant"] = Resident.objects.filter(
                unit=data["unit"], phone=data.get("complainant_phone") or "-"
            ).first()
        same = (data.pop("same_matter_as", "") or "").strip().upper().removeprefix("TS")
        data["same_matter_as"] = None
        if same:
            data["same_matter_as"] = (
                Complaint.objects.filter(estate=estate, pk=int(same)).first()
                if same.isdigit()
                else None
            )
            if data["same_matter_as"] is None:
                raise serializers.ValidationError(
                    {"same_matter_as": [_("No such complaint in this estate.")]}
                )
        data["estate"] = estate
        return data


class GradeSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Complaint.Grade.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    invalid_reason = serializers.ChoiceField(
        choices=Complaint.InvalidReason.choices, required=False, allow_blank=True, default=""
    )
    referred_to = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )


class ReportUpSerializer(serializers.Serializer):
    reported_to = serializers.ListField(
        child=serializers.ChoiceField(choices=list(REPORTABLE_ROLES)), allow_empty=False
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ReplySerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ComplaintReply.Channel.choices)
    text = serializers.CharField(max_length=6000)


class HandleSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000)


class ExtendSerializer(serializers.Serializer):
    new_due_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=300)


class OwnerSerializer(serializers.Serializer):
    owner = serializers.CharField(help_text="username of a colleague of the estate")


# --- callbacks -------------------------------------------------------------------------------------


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
    kind = serializers.CharField(read_only=True)
    ticket = serializers.SerializerMethodField()
    ticket_id = serializers.SerializerMethodField()
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

    def get_ticket(self, obj) -> str:
        return obj.ticket.number

    def get_ticket_id(self, obj) -> int:
        return obj.ticket.pk

    def get_phone(self, obj) -> str:
        return _phone(self.context, obj.phone)

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
    assigned_to = serializers.CharField(help_text="username")
    second_caller = serializers.CharField(required=False, allow_blank=True, default="")


class SecondHandlingDoneSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000)
