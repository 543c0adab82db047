"""Fees in the Django admin: reference data editable (items, subscriptions); money rows read-only
(they change only through the services, so the ledger stays whole)."""

from django.contrib import admin

from fees.models import (
    Account,
    ArrearsNotice,
    BillingRun,
    Charge,
    ChargeItem,
    DayClose,
    LedgerEntry,
    OwnerChange,
    Payment,
    Reminder,
    Subscription,
    Tariff,
)


@admin.register(ChargeItem)
class ChargeItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "estate", "active"]
    list_filter = ["estate", "kind", "active"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["unit", "item", "quantity", "starts_on", "ends_on"]
    raw_id_fields = ["unit"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tariff)
class TariffAdmin(ReadOnlyAdmin):
    """Rates are set through fees.services.tariff_set (it refuses overlaps in words)."""

    list_display = ["item", "use", "building", "rate", "valid_from", "valid_to"]


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["unit", "item", "period", "amount", "paid", "cancelled_at"]
    list_filter = ["estate", "item"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["receipt_number", "unit", "amount", "method", "taken_at", "reversed_at"]
    list_filter = ["estate", "method"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["unit", "kind", "amount", "at"]
    list_filter = ["estate", "kind"]


admin.site.register(BillingRun, ReadOnlyAdmin)
admin.site.register(ArrearsNotice, ReadOnlyAdmin)
admin.site.register(DayClose, ReadOnlyAdmin)
admin.site.register(OwnerChange, ReadOnlyAdmin)
admin.site.register(Reminder, ReadOnlyAdmin)
admin.site.register(Account, ReadOnlyAdmin)
