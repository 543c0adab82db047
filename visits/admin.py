"""Admin: read-mostly views of the front desk's registers (writes go through the services)."""

from django.contrib import admin

from visits.models import (
    CommonPatrol,
    Defect,
    GateVisitor,
    Handover,
    Incident,
    Lease,
    LostItem,
    MoveOut,
    Notice,
    Parcel,
    PatrolPlace,
    RelayItem,
    RentalListing,
    TitleCertificate,
    Visit,
)


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


# Rentals, move-out, the gate and the lobby
@admin.register(RentalListing)
class RentalListingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "status", "asking_rent", "registered_at"]
    list_filter = ["estate", "status"]


@admin.register(Lease)
class LeaseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "tenant", "starts_on", "ends_on"]
    list_filter = ["estate"]


@admin.register(MoveOut)
class MoveOutAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "tenant", "status", "moved_out_on"]
    list_filter = ["estate", "status"]


@admin.register(GateVisitor)
class GateVisitorAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "host_name", "arrived_at", "left_at"]
    list_filter = ["estate"]


@admin.register(Parcel)
class ParcelAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "for_name", "status", "logged_at"]
    list_filter = ["estate", "status"]


# Information relay, common-area patrols, title certificates
@admin.register(RelayItem)
class RelayItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "department", "head", "status", "created_at"]
    list_filter = ["estate", "status", "department"]


@admin.register(PatrolPlace)
class PatrolPlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "estate", "order", "active"]
    list_filter = ["estate", "active"]


@admin.register(CommonPatrol)
class CommonPatrolAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "due_at", "done_at", "done_by"]
    list_filter = ["estate", "slot"]


@admin.register(TitleCertificate)
class TitleCertificateAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "estate", "stage", "listed_on", "issued_on", "handed_on"]
    list_filter = ["estate", "stage"]
