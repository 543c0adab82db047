from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from propserv.access import can_see_phones
from propserv.models import Deadline, Resident, Unit, mask_phone
from tickets.models import Repair, RepairCategory, RepairEvent


class DeadlineSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "kind",
            "started_at",
            "due_at",
            "warned_at",
            "met_at",
            "breached_at",
            "cancelled_at",
            "escalation_level",
            "provisional",
            "state",
        ]

    def get_state(self, obj) -> str:
        return obj.state(timezone.now())


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def deadline_representation(d, now) -> dict:
    """What DeadlineSerializer gives, built directly (it is on every row of every list)."""
    return {
        "kind": d.kind,
        "started_at": _iso(d.started_at),
        "due_at": _iso(d.due_at),
        "warned_at": _iso(d.warned_at),
        "met_at": _iso(d.met_at),
        "breached_at": _iso(d.breached_at),
        "cancelled_at": _iso(d.cancelled_at),
        "escalation_level": d.escalation_level,
        "provisional": d.provisional,
        "state": d.state(now),
    }


class RepairEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RepairEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "note"]

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
        if request is not None and can_see_phones(request.user):
            return obj.reporter_phone
        return mask_phone(obj.reporter_phone)

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, obj) -> list[dict]:
        # Prefetched by the views (one query for the whole page); sorted here, not in SQL.
        # Plain dicts, not a nested serializer per row: a list page has 150 of them.
        now = timezone.now()
        return [
            deadline_representation(d, now)
            for d in sorted(obj.deadlines.all(), key=lambda d: (d.started_at, d.pk))
        ]


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
    category = serializers.CharField()
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

    def resolve(self, estates):
        """Turn codes into objects of the user's estates (unknown -> a field error, never another estate's)."""
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
            data["unit"] = Unit.objects.filter(estate=estate, code=unit_code).first()
            if data["unit"] is None:
                raise serializers.ValidationError(
                    {
                        "unit": [
                            _("No unit %(unit)s in %(estate)s.")
                            % {"unit": unit_code, "estate": estate.code}
                        ]
                    }
                )
            data["reporter"] = Resident.objects.filter(
                unit=data["unit"], phone=data.get("reporter_phone") or "-"
            ).first()
        category = RepairCategory.objects.filter(
            estate=estate, code=data.pop("category"), active=True
        ).first()
        if category is None:
            raise serializers.ValidationError({"category": [_("Unknown repair category.")]})
        data["category"] = category
        data["estate"] = estate
        return data


class DispatchSerializer(serializers.Serializer):
    technician = serializers.CharField(help_text="username of the technician")


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
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    confirmed_by_resident = serializers.BooleanField(default=False)
