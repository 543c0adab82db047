"""Admin: for looking things up. Changes go through the screens (and so the services); the
ledger is read-only here as everywhere."""

from django.contrib import admin

from keys.models import (
    Contractor,
    ContractorPerson,
    Entrustment,
    Key,
    KeyEvent,
    KeyIncident,
    KeyLoan,
    KeyReceipt,
    VacantInspection,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ContractorPersonInline(admin.TabularInline):
    model = ContractorPerson
    extra = 0
    can_delete = False


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    list_display = ["name", "estate", "phone", "liaison", "active"]
    list_filter = ["estate", "active"]
    search_fields = ["name"]
    inlines = [ContractorPersonInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Key)
class KeyAdmin(ReadOnlyAdmin):
    list_display = ["tag_code", "estate", "unit", "area", "kind", "count", "slot", "state"]
    list_filter = ["estate", "kind", "state"]
    search_fields = ["tag_code", "unit__code", "area", "slot"]


@admin.register(KeyEvent)
class KeyEventAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "key",
        "action_label",
        "from_text",
        "to_text",
        "why_text",
        "count",
        "actor",
    ]
    list_filter = ["estate", "kind"]
    search_fields = ["key__tag_code", "from_party", "to_party"]


@admin.register(KeyLoan)
class KeyLoanAdmin(ReadOnlyAdmin):
    list_display = ["key", "borrower_name", "lent_at", "due_at", "status", "closed_at"]
    list_filter = ["estate", "status", "borrower_kind"]
    search_fields = ["key__tag_code", "borrower_name"]


@admin.register(Entrustment)
class EntrustmentAdmin(ReadOnlyAdmin):
    list_display = ["key", "owner", "received_at", "handed_over_at", "released_at"]
    list_filter = ["estate"]


@admin.register(KeyReceipt)
class KeyReceiptAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "unit", "owner", "issued_at"]
    list_filter = ["estate"]


@admin.register(KeyIncident)
class KeyIncidentAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "status", "reported_at"]
    list_filter = ["estate", "kind", "status"]


@admin.register(VacantInspection)
class VacantInspectionAdmin(ReadOnlyAdmin):
    list_display = ["unit", "month", "planned_on", "inspected_at", "problem", "resolved_at"]
    list_filter = ["estate", "month"]
