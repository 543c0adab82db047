"""API shapes of the quality checks: reads of each subject and the input of each write (the
shape only; the services check ranges, who is responsible, cause and fix)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from inspections.models import (
    CheckKind,
    Defect,
    DutyFailure,
    NonConformity,
    QualityCheck,
    QualityTemplate,
    WeatherWarning,
)
from propserv.models import Department


class QualityTemplateSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = QualityTemplate
        fields = ["id", "estate", "kind", "name", "items", "active", "created_at"]


class QualityTemplateItemSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    max_score = serializers.IntegerField(required=False, default=0)
    specialty = serializers.CharField(required=False, default=Department.OTHER)


class QualityTemplateInputSerializer(serializers.Serializer):
    estate = serializers.CharField(help_text="An estate's `code`: GET /api/v1/estates/.")
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    name = serializers.CharField()
    items = QualityTemplateItemSerializer(many=True)


class NonConformitySerializer(serializers.ModelSerializer):
    class Meta:
        model = NonConformity
        fields = [
            "id",
            "quality_check",
            "item",
            "specialty",
            "description",
            "duty_failure",
            "trivial",
            "litter",
            "exempt",
            "responsible",
            "found_at",
            "closed_at",
            "closure",
        ]


class QualityDefectSerializer(serializers.ModelSerializer):
    cause = serializers.SerializerMethodField()
    fix = serializers.SerializerMethodField()
    transferred_to = serializers.SerializerMethodField()

    class Meta:
        model = Defect
        fields = [
            "id",
            "quality_check",
            "item",
            "specialty",
            "description",
            "responsible",
            "found_at",
            "due_at",
            "status",
            "cause",
            "fix",
            "transferred_to",
        ]

    def get_cause(self, obj) -> str:
        fix = obj.last_fix
        return fix.cause if fix else ""

    def get_fix(self, obj) -> str:
        fix = obj.last_fix
        return fix.fix if fix else ""

    def get_transferred_to(self, obj) -> str:
        transfer = getattr(obj, "transfer", None)
        return transfer.department if transfer else ""


class QualityCheckSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    nonconformities = NonConformitySerializer(many=True, read_only=True)
    defects = QualityDefectSerializer(many=True, read_only=True)

    class Meta:
        model = QualityCheck
        fields = [
            "id",
            "estate",
            "template",
            "kind",
            "checked_at",
            "checked_by",
            "items",
            "results",
            "score",
            "max_score",
            "post",
            "on_duty",
            "notes",
            "nonconformities",
            "defects",
        ]


class QualityFindingSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True)
    specialty = serializers.ChoiceField(choices=Department.choices, default=Department.OTHER)
    item = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A checklist item's `code` (i1, i2 …) of the template: "
        "GET /api/v1/quality/templates/{id}/.",
    )
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A staff member of the estate: an `id` from /api/v1/staff/.",
    )
    duty_failure = serializers.ChoiceField(
        choices=DutyFailure.choices, required=False, allow_blank=True, default=""
    )
    trivial = serializers.BooleanField(required=False, default=False)
    litter = serializers.BooleanField(required=False, default=False)
    closed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    closure = serializers.CharField(required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class QualityCheckInputSerializer(serializers.Serializer):
    template = serializers.IntegerField(
        help_text="A checklist template's `id`: GET /api/v1/quality/templates/."
    )
    results = serializers.DictField()
    findings = QualityFindingSerializer(many=True, required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    post = serializers.CharField(required=False, allow_blank=True, default="")
    on_duty = serializers.CharField(required=False, allow_blank=True, default="")


class NonConformityCloseSerializer(serializers.Serializer):
    closure = serializers.CharField(allow_blank=True)


class DefectFixSerializer(serializers.Serializer):
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    fix = serializers.CharField(required=False, allow_blank=True, default="")


class DefectTransferSerializer(serializers.Serializer):
    department = serializers.ChoiceField(choices=Department.choices)
    reason = serializers.CharField(allow_blank=True)


class DefectVerifySerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    next_due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class WeatherWarningSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = WeatherWarning
        fields = ["id", "estate", "kind", "level", "starts_at", "ends_at", "recorded_at"]


class WeatherWarningInputSerializer(serializers.Serializer):
    estate = serializers.CharField(help_text="An estate's `code`: GET /api/v1/estates/.")
    kind = serializers.ChoiceField(choices=WeatherWarning.Kind.choices)
    level = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
