"""Admin: the reference data an administrator keeps (repair categories, the published price
list). Every other tickets record changes through the screens, and so the services
(docs/architecture.md, "A request that changes something"). Labels are the models' translated
verbose names; a code is shown beside its name, never alone."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from propserv.web import estates_for
from tickets.models import PriceItem, RepairCategory


class EstateReferenceAdmin(admin.ModelAdmin):
    """Rows of the estates the administrator works for; kept, never deleted (a repair or a quote
    points at them): take one out of use instead."""

    list_filter = [("estate", admin.RelatedOnlyFieldListFilter), "active"]
    search_fields = ["code", "name"]
    list_select_related = ["estate"]  # estate_name on every row: one join, not a query a row

    def get_queryset(self, request):
        return super().get_queryset(request).filter(estate__in=estates_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "estate":
            kwargs["queryset"] = estates_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("estate"), ordering="estate__name")
    def estate_name(self, obj) -> str:
        return obj.estate.name


@admin.register(RepairCategory)
class RepairCategoryAdmin(EstateReferenceAdmin):
    list_display = [
        "name",
        "code",
        "estate_name",
        "urgent",
        "major_incident",
        "active",
        "sort_order",
    ]
    list_editable = ["active", "sort_order"]
    fields = ["estate", "code", "name", "urgent", "major_incident", "active", "sort_order"]


@admin.register(PriceItem)
class PriceItemAdmin(EstateReferenceAdmin):
    list_display = ["name", "code", "estate_name", "price", "unit_label", "active"]
    list_editable = ["price", "active"]
    fields = ["estate", "code", "name", "price", "unit_label", "active"]
