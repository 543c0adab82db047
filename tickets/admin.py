"""Admin: the reference data an administrator keeps (repair categories, the published price
list). Every other tickets record changes through the screens, and so the services
(docs/architecture.md, "A request that changes something"). Labels are the models' translated
verbose names; a code is shown beside its name, never alone."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from propserv.models import Building, Unit
from propserv.roles import Role
from propserv.web import estates_for
from tickets.models import (
    AdministratorArea,
    PriceItem,
    RepairCategory,
    SurveyQuestion,
    SurveyTemplate,
)


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


class SurveyQuestionInline(admin.TabularInline):
    """A questionnaire's questions. A question already answered keeps its range: its scores
    were given on that scale."""

    model = SurveyQuestion
    extra = 3
    can_delete = False
    fields = ["position", "text", "service_line", "min_score", "max_score", "satisfied_from"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.surveys.exists():
            return ["min_score", "max_score", "satisfied_from"]
        return []


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(EstateReferenceAdmin):
    """Each estate's satisfaction questionnaires (docs/domain.md, "Satisfaction surveys")."""

    list_display = ["name", "estate_name", "active"]
    list_editable = ["active"]
    search_fields = ["name"]
    fields = ["estate", "name", "active"]
    inlines = [SurveyQuestionInline]


@admin.register(AdministratorArea)
class AdministratorAreaAdmin(admin.ModelAdmin):
    """Which buildings (and single units) each area administrator visits every quarter
    (docs/domain.md, Callbacks: routine callbacks)."""

    list_display = ["name", "estate_name", "administrator"]
    list_filter = [("estate", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["estate", "administrator"]
    search_fields = ["name"]
    fields = ["estate", "name", "administrator", "buildings", "units"]
    filter_horizontal = ["buildings"]
    raw_id_fields = ["units"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(estate__in=estates_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "estate":
            kwargs["queryset"] = estates_for(request.user)
        if db_field.name == "administrator":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(
                    is_active=True,
                    staff__estates__in=estates_for(request.user),
                    groups__name=Role.AREA_ADMIN,
                )
                .distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "buildings":
            kwargs["queryset"] = Building.objects.filter(estate__in=estates_for(request.user))
        if db_field.name == "units":
            kwargs["queryset"] = Unit.objects.filter(estate__in=estates_for(request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("estate"), ordering="estate__name")
    def estate_name(self, obj) -> str:
        return obj.estate.name
