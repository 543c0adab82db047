from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inspections.models import UnitHandover
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
