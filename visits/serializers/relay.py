"""Serializers of the information relay, common-area patrols and title certificates."""

from __future__ import annotations

from rest_framework import serializers

from propserv.models import Department
from visits.models import (
    CommonPatrol,
    CommonPatrolProblem,
    RelayEvent,
    RelayItem,
    TitleCertificate,
)


class RelayEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = RelayEvent
        fields = ["at", "actor", "action", "action_label", "note", "data"]


class RelayItemSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    visit = serializers.CharField(source="visit.number", read_only=True)
    visit_status = serializers.CharField(source="visit.status", read_only=True)
    summary = serializers.CharField(source="visit.summary", read_only=True)
    reporter_name = serializers.CharField(source="visit.caller_name", read_only=True)
    received_at = serializers.DateTimeField(source="visit.received_at", read_only=True)
    unit = serializers.CharField(source="visit.unit.code", read_only=True, default="")
    head = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    events = RelayEventSerializer(many=True, read_only=True)

    class Meta:
        model = RelayItem
        fields = [
            "id",
            "number",
            "estate",
            "visit",
            "visit_status",
            "summary",
            "reporter",
            "reporter_name",
            "reported_by",
            "received_at",
            "unit",
            "location",
            "source",
            "department",
            "head",
            "status",
            "routed_at",
            "expected_on",
            "resident_told_at",
            "done_at",
            "done_note",
            "checked_at",
            "events",
        ]


class RelayCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(
        max_length=32, help_text="An estate's `code`: GET /api/v1/estates/."
    )
    summary = serializers.CharField(max_length=1000)
    department = serializers.ChoiceField(choices=Department.choices)
    reporter = serializers.ChoiceField(choices=RelayItem.Reporter.choices)
    caller_name = serializers.CharField(max_length=64, required=False, default="")
    caller_phone = serializers.CharField(max_length=20, required=False, default="")
    unit = serializers.CharField(
        max_length=32,
        required=False,
        default="",
        help_text="A unit's `code`: GET /api/v1/units/?estate=<code>.",
    )
    location = serializers.CharField(max_length=120, required=False, default="")


class RelayRouteSerializer(serializers.Serializer):
    department = serializers.ChoiceField(choices=Department.choices)


class RelayExpectedSerializer(serializers.Serializer):
    expected_on = serializers.DateField()
    resident_told = serializers.BooleanField()


class RelayNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class RelayCheckSerializer(RelayNoteSerializer):
    passed = serializers.BooleanField()


class CommonPatrolProblemSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.name", read_only=True)
    repair = serializers.CharField(source="repair.number", read_only=True, default=None)
    relay = serializers.CharField(source="relay.number", read_only=True, default=None)

    class Meta:
        model = CommonPatrolProblem
        fields = ["place", "description", "repair", "relay"]


class CommonPatrolSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    problems = CommonPatrolProblemSerializer(many=True, read_only=True)

    class Meta:
        model = CommonPatrol
        fields = [
            "id",
            "estate",
            "day",
            "slot",
            "due_at",
            "done_at",
            "done_by",
            "results",
            "notes",
            "problems",
        ]


class CommonPatrolCheckSerializer(serializers.Serializer):
    place = serializers.IntegerField()
    result = serializers.ChoiceField(choices=CommonPatrol.Result.choices)
    problem = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    category = serializers.CharField(
        max_length=32,
        required=False,
        default="",
        allow_blank=True,
        help_text="A repair category's `code`: GET /api/v1/repair-categories/.",
    )
    department = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)


class CommonPatrolRecordSerializer(serializers.Serializer):
    estate = serializers.CharField(
        max_length=32, help_text="An estate's `code`: GET /api/v1/estates/."
    )
    slot = serializers.ChoiceField(choices=CommonPatrol.Slot.choices)
    checks = CommonPatrolCheckSerializer(many=True)
    notes = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class TitleCertificateSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    owner = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = TitleCertificate
        fields = [
            "id",
            "estate",
            "unit",
            "owner",
            "source",
            "listed_on",
            "stage",
            "collected_on",
            "submitted_on",
            "issued_on",
            "handed_on",
            "owner_notified_at",
        ]


class TitleAdvanceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=TitleCertificate.Stage.choices[1:])
    on = serializers.DateField()
