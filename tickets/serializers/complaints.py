"""Serializers of /api/v1/complaints/ (docs/domain.md, Complaints)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from propserv.models import Resident, Unit
from propserv.roles import COMPLAINT_REPORT_TARGETS, Role
from tickets.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintExtension,
    ComplaintReply,
)
from tickets.serializers.common import DeadlineSerializer, name, viewer_phone


class ComplaintEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action_label = serializers.CharField(read_only=True)  # in the reader's language
    detail = serializers.CharField(read_only=True)

    class Meta:
        model = ComplaintEvent
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
        return name(obj.actor) if obj.actor_id else obj.actor_label


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
        return viewer_phone(self.context, obj.complainant_phone)

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
    same_matter_as = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="An earlier complaint on the same matter, its number (TS000123): "
        "GET /api/v1/complaints/.",
    )

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
        child=serializers.ChoiceField(
            choices=[r for r in Role.values if r in COMPLAINT_REPORT_TARGETS]
        ),
        allow_empty=False,
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
    owner = serializers.CharField(
        help_text="username of a colleague of the estate: GET /api/v1/staff/?estate=<code>."
    )
