"""Serializers of the hand-over API: problems and move-in appointments (shape only; the services
check the rest)."""

from __future__ import annotations

from rest_framework import serializers

from inspections.models import MoveInAppointment, Problem


class ProblemSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    defect_type_name = serializers.CharField(source="defect_type.name", read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "number",
            "estate",
            "unit",
            "unit_code",
            "source",
            "round",
            "appointment",
            "location",
            "defect_type",
            "defect_type_name",
            "severity",
            "description",
            "status",
            "created_at",
            "fixed_at",
            "evidence",
            "closed_at",
            "recheck_failures",
        ]
        read_only_fields = fields


class ProblemRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    location = serializers.CharField(max_length=100)
    defect_type = serializers.IntegerField()
    severity = serializers.ChoiceField(Problem.Severity.choices, default=Problem.Severity.MINOR)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ProblemsAddSerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, allow_null=True)
    appointment = serializers.IntegerField(required=False, allow_null=True)
    rows = ProblemRowSerializer(many=True, allow_empty=False)


class FixSerializer(serializers.Serializer):
    evidence = serializers.CharField(max_length=500)


class RecheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField()


class AppointmentSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = MoveInAppointment
        fields = [
            "id",
            "estate",
            "batch",
            "unit",
            "unit_code",
            "owner",
            "owner_name",
            "day",
            "time",
            "status",
            "arrived_at",
            "decided_at",
            "reasons",
            "override_reason",
            "charges_billed_at",
            "welcome_visited_at",
        ]
        read_only_fields = fields


class BookSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    owner = serializers.IntegerField(
        help_text="A resident `id` (an owner of the unit): GET /api/v1/residents/?unit=<code>."
    )
    batch = serializers.IntegerField(required=False, allow_null=True)
    day = serializers.DateField(required=False, allow_null=True)
    time = serializers.TimeField(required=False, allow_null=True)


class AcceptSerializer(serializers.Serializer):
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    keys = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    owner_id_last4 = serializers.CharField(required=False, allow_blank=True, default="")
    identity_checked = serializers.BooleanField(required=False, default=False)


class RefuseSerializer(serializers.Serializer):
    reasons = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
