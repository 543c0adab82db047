from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inspections.models import (
    GoodsRelease,
    Patrol,
    Rectification,
    Renovation,
    UnitHandover,
    WorkerPass,
)
from inspections.models import milestones as milestone_models
from inspections.models import movein as movein_models
from inspections.models import predelivery as problem_models
from inspections.models import quality as quality_models
from inspections.services import unit_handover_record
from propserv.models import Resident


class UnitHandoverForm(forms.ModelForm):
    class Meta:
        model = UnitHandover
        fields = ["unit", "owner", "handed_over_at"]

    def clean(self):
        data = super().clean()
        unit, owner = data.get("unit"), data.get("owner")
        if unit and owner and (owner.unit_id != unit.pk or owner.role != Resident.Role.OWNER):
            raise forms.ValidationError(_("The owner must be a registered owner of this unit."))
        return data


@admin.register(UnitHandover)
class UnitHandoverAdmin(admin.ModelAdmin):
    """Recorded through `unit_handover_record`; never deleted, never edited afterwards."""

    form = UnitHandoverForm
    list_display = ["unit", "owner", "handed_over_at", "recorded_by"]
    list_filter = ["unit__estate"]
    search_fields = ["unit__code", "owner__name"]
    raw_id_fields = ["unit", "owner"]

    def get_readonly_fields(self, request, obj=None):
        return ["unit", "owner", "handed_over_at", "recorded_by"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = unit_handover_record(
            unit=obj.unit, owner=obj.owner, at=obj.handed_over_at, actor=request.user
        )
        obj.pk = saved.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    """Renovation records are written by the services only; the admin reads them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Renovation)
class RenovationAdmin(ReadOnlyAdmin):
    list_display = ["unit", "permit_number", "status", "planned_start", "planned_end", "deposit"]
    list_filter = ["estate", "status"]
    search_fields = ["unit__code", "permit_number", "owner__name"]


@admin.register(WorkerPass)
class WorkerPassAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "trade", "valid_until", "revoked_at", "confiscated_at"]
    search_fields = ["number", "name"]


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdmin):
    list_display = ["renovation", "day", "slot", "done_at", "done_by"]
    list_filter = ["day"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["number", "renovation", "serious", "due_at", "status"]
    list_filter = ["status", "serious"]


@admin.register(GoodsRelease)
class GoodsReleaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "unit", "carrier_name", "goods", "valid_on", "used_at"]
    search_fields = ["number", "carrier_name"]


# --- quality checks: read-only here; they are written through the quality pages' services ---
@admin.register(quality_models.QualityTemplate)
class QualityTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "estate", "kind", "active", "created_at"]
    list_filter = ["kind", "active"]


@admin.register(quality_models.QualityCheck)
class QualityCheckAdmin(ReadOnlyAdmin):
    list_display = ["kind", "estate", "checked_at", "checked_by", "score", "max_score"]
    list_filter = ["kind"]


@admin.register(quality_models.Defect)
class DefectAdmin(ReadOnlyAdmin):
    list_display = ["description", "estate", "specialty", "found_at", "due_at", "status"]
    list_filter = ["status", "specialty"]


@admin.register(quality_models.NonConformity)
class NonConformityAdmin(ReadOnlyAdmin):
    list_display = ["description", "estate", "specialty", "duty_failure", "exempt", "closed_at"]
    list_filter = ["exempt", "duty_failure", "specialty"]


@admin.register(quality_models.WeatherWarning)
class WeatherWarningAdmin(ReadOnlyAdmin):
    list_display = ["kind", "level", "estate", "starts_at", "ends_at"]


# --- hand-over: read-only here; written through the hand-over pages' services ---
@admin.register(problem_models.Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["unit", "location", "defect_type", "severity", "status", "created_at"]
    list_filter = ["estate", "status", "severity", "source"]
    search_fields = ["unit__code", "location"]


@admin.register(movein_models.MoveInAppointment)
class MoveInAppointmentAdmin(ReadOnlyAdmin):
    list_display = ["unit", "owner", "day", "status", "decided_at", "welcome_visited_at"]
    list_filter = ["estate", "status", "day"]
    search_fields = ["unit__code", "owner__name"]


@admin.register(movein_models.MoveInPlan)
class MoveInPlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "estate", "created_at"]


@admin.register(milestone_models.Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["project", "name", "owner", "due_on", "done_at"]
    list_filter = ["estate"]
