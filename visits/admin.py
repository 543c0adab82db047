"""Admin: read-mostly views of the front desk's registers (writes go through the services)."""

from django.contrib import admin

from visits.models import Defect, Handover, Incident, LostItem, Notice, Visit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "status", "owner", "received_at"]
    list_filter = ["estate", "category", "status", "channel"]
    search_fields = ["caller_name", "summary", "unit__code"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "handed_by", "acknowledged_by", "acknowledged_at"]
    list_filter = ["estate"]


@admin.register(Defect)
class DefectAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "status", "round", "created_at"]
    list_filter = ["estate", "status"]


@admin.register(LostItem)
class LostItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "status", "found_at"]
    list_filter = ["estate", "status"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "kind", "occurred_at", "closed_at"]
    list_filter = ["estate", "kind"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "kind", "status", "emergency", "created_at"]
    list_filter = ["estate", "kind", "status"]
