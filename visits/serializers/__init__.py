from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from propserv.models import Building, Resident, Unit
from propserv.phones import phone_for
from tickets.models import Channel, RepairCategory
from visits.models import Handover, HandoverItem, Notice, NoticeCall, Visit, VisitEvent
from visits.rules import completion_rate


def _phone(context, phone: str) -> str:
    request = context.get("request")
    return phone_for(request.user if request is not None else None, phone)


class VisitEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    action_label = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)

    class Meta:
        model = VisitEvent
        fields = ["at", "actor", "action", "action_label", "detail", "note", "data"]


class VisitSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    received_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    caller_phone = serializers.SerializerMethodField()
    repair = serializers.SerializerMethodField()
    complaint = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "number",
            "estate",
            "channel",
            "category",
            "received_at",
            "received_by",
            "owner",
            "unit",
            "resident",
            "caller_name",
            "caller_phone",
            "summary",
            "handling",
            "promised_answer_at",
            "status",
            "resolved_at",
            "resolution",
            "called_back_at",
            "repair",
            "complaint",
        ]

    def get_caller_phone(self, obj) -> str:
        return _phone(self.context, obj.caller_phone)

    def get_repair(self, obj) -> str | None:
        return obj.repair.number if obj.repair_id else None

    def get_complaint(self, obj) -> str | None:
        return obj.complaint.number if obj.complaint_id else None


class VisitDetailSerializer(VisitSerializer):
    events = VisitEventSerializer(many=True, read_only=True)

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "events"]


class VisitCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Visit.Category.choices)
    summary = serializers.CharField(max_length=1000)
    handling = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    resident = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A resident `id` of the unit: GET /api/v1/residents/?unit=<code>.",
    )
    caller_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    promised_answer_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    resolved_on_spot = serializers.BooleanField(required=False, default=False)

    def resolve(self, estates) -> dict:
        """Codes to objects, only within the user's estates (another estate's unit: refused)."""
        data = dict(self.validated_data)
        estate = next((e for e in estates if e.code == data.pop("estate")), None)
        if estate is None:
            raise serializers.ValidationError({"estate": [_("Unknown estate.")]})
        code = data.pop("unit").strip()
        unit = Unit.in_estate(estate, code)
        if code and unit is None:
            raise serializers.ValidationError(
                {"unit": [_("There is no such unit in this estate.")]}
            )
        resident_id = data.pop("resident")
        resident = None
        if resident_id:
            resident = Resident.objects.current().filter(pk=resident_id, estate=estate).first()
            if resident is None:
                raise serializers.ValidationError({"resident": [_("Unknown resident.")]})
        return {**data, "estate": estate, "unit": unit, "resident": resident}


class VisitResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=1000)


class VisitNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class VisitToRepairSerializer(serializers.Serializer):
    category = serializers.CharField(
        max_length=32, help_text="A repair category's `code`: GET /api/v1/repair-categories/."
    )
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def resolve(self, visit) -> dict:
        data = dict(self.validated_data)
        category = RepairCategory.objects.filter(
            estate=visit.estate, code=data.pop("category"), active=True
        ).first()
        if category is None:
            raise serializers.ValidationError({"category": [_("Unknown repair category.")]})
        return {
            "category": category,
            "description": data.get("description") or visit.summary,
            "location": data["location"],
        }


class VisitToComplaintSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    demand = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class HandoverItemSerializer(serializers.ModelSerializer):
    visit = VisitSerializer(read_only=True)
    from_owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = HandoverItem
        fields = ["visit", "from_owner", "acknowledged_at"]


class HandoverSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    handed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    recipients = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = Handover
        fields = [
            "id",
            "estate",
            "handed_by",
            "members",
            "recipients",
            "handed_at",
            "note",
            "acknowledged_by",
            "acknowledged_at",
            "items",
        ]

    def get_items(self, obj) -> list:
        # The viewset prefetches the items with their entries (one query for the whole page).
        return HandoverItemSerializer(obj.items.all(), many=True, context=self.context).data


class HandoverCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    members = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        default=list,
        help_text="Usernames of the colleagues on this shift: GET /api/v1/staff/?estate=<code>.",
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        default=list,
        help_text="Usernames of the next shift's people (desk roles) the handover is addressed to: GET /api/v1/staff/?estate=<code>.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class NoticeCallSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = NoticeCall
        fields = ["id", "unit", "phone", "outcome", "attempts", "called_at", "note"]

    def get_phone(self, obj) -> str:
        return _phone(self.context, obj.phone)


class NoticeSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    building = serializers.SlugRelatedField(slug_field="code", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    completion = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "number",
            "estate",
            "building",
            "kind",
            "emergency",
            "title",
            "body",
            "valid_from",
            "valid_until",
            "status",
            "created_at",
            "approved_by",
            "approved_at",
            "published_at",
            "withdrawn_at",
            "completion",
        ]

    def get_completion(self, obj) -> dict | None:
        if obj.kind != Notice.Kind.PHONE:
            return None
        households, reached = getattr(obj, "households", None), getattr(obj, "reached", None)
        if households is None or reached is None:  # not from the viewset's annotated queryset
            outcomes = list(obj.calls.values_list("outcome", flat=True))
            households, reached = len(outcomes), outcomes.count(NoticeCall.Outcome.REACHED)
        rate = completion_rate(reached, households)
        return {
            "households": households,
            "reached": reached,
            "rate_percent": str(rate) if rate is not None else None,
        }


class NoticeCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=Notice.Kind.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000)
    emergency = serializers.BooleanField(required=False, default=False)
    building = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)

    def resolve(self, estates) -> dict:
        data = dict(self.validated_data)
        estate = next((e for e in estates if e.code == data.pop("estate")), None)
        if estate is None:
            raise serializers.ValidationError({"estate": [_("Unknown estate.")]})
        code = data.pop("building")
        building = Building.objects.filter(estate=estate, code=code).first() if code else None
        if code and building is None:
            raise serializers.ValidationError({"building": [_("Unknown building.")]})
        return {**data, "estate": estate, "building": building}


class NoticeCallRecordSerializer(serializers.Serializer):
    call = serializers.IntegerField(help_text="A call's `id`: GET /api/v1/notices/{id}/calls/.")
    outcome = serializers.ChoiceField(choices=NoticeCall.Outcome.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
