from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from propserv.deadlines import deadlines_recompute
from propserv.models import (
    Building,
    CalendarDay,
    CalendarYear,
    Deadline,
    DeadlineEscalation,
    DepartmentHead,
    Estate,
    EstateSettings,
    Notification,
    Resident,
    StaffProfile,
    Unit,
)
from propserv.workdays import calendar_confirm_year, calendar_set_day


class EstateSettingsInline(admin.StackedInline):
    model = EstateSettings
    can_delete = False


class DepartmentHeadInline(admin.TabularInline):
    """Who heads each department: the information relay routes reports to them."""

    model = DepartmentHead
    extra = 0
    autocomplete_fields = ["head"]
    can_delete = False


# The admin speaks the office's words, not Django's defaults ("Django 管理").
admin.site.site_header = _("PropServ administration")
admin.site.site_title = _("PropServ administration")
admin.site.index_title = _("Reference data, calendar and staff")


@admin.register(Estate)
class EstateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "service_phone"]
    search_fields = ["code", "name"]
    inlines = [EstateSettingsInline, DepartmentHeadInline]

    def save_related(self, request, form, formsets, change):
        """Changed numbers (arrival minutes, callback hours…) apply to the clocks already running."""
        super().save_related(request, form, formsets, change)
        estate = form.instance
        transaction.on_commit(lambda: deadlines_recompute(estate=Estate.objects.get(pk=estate.pk)))


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["estate", "code", "name", "floors"]
    list_filter = ["estate"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "estate", "building", "floor", "area_m2", "use", "status"]
    list_filter = ["estate", "use", "status"]
    search_fields = ["code"]


@admin.register(Resident)
class ResidentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "role", "moved_in_on", "moved_out_on"]
    list_filter = ["estate", "role"]
    search_fields = ["name", "phone", "unit__code"]
    raw_id_fields = ["unit"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone"]
    filter_horizontal = ["estates"]


class StaffProfileInline(admin.StackedInline):
    """Estates and phone on the user's own page, so a new staff member is set up in one place."""

    model = StaffProfile
    can_delete = False
    filter_horizontal = ["estates"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    """Years are seeded by the calendar itself; an admin only confirms provisional ones
    (through the action here or the calendar page) and edits days under Calendar days."""

    list_display = ["year", "source", "provisional", "confirmed_by", "confirmed_at"]
    list_filter = ["provisional", "source"]
    readonly_fields = ["year", "source", "provisional", "confirmed_by", "confirmed_at"]
    actions = ["confirm_years"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Confirm the selected years"))
    def confirm_years(self, request, queryset):
        years = list(queryset.values_list("year", flat=True))
        for year in years:
            calendar_confirm_year(year=year, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d year confirmed.", "%(count)d years confirmed.", len(years))
            % {"count": len(years)},
            messages.SUCCESS,
        )


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        calendar_set_day(date=obj.date, kind=obj.kind, name=obj.name, actor=request.user)

    def delete_model(self, request, obj):
        calendar_set_day(date=obj.date, kind=None, name="", actor=request.user)


class DeadlineEscalationInline(admin.TabularInline):
    model = DeadlineEscalation
    extra = 0
    can_delete = False
    readonly_fields = ["level", "at", "notified"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "object_id",
        "estate",
        "due_at",
        "warned_at",
        "met_at",
        "breached_at",
        "escalation_level",
    ]
    list_filter = ["kind", "estate"]
    readonly_fields = [f.name for f in Deadline._meta.fields]
    inlines = [DeadlineEscalationInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "title", "level", "created_at", "read_at"]
    list_filter = ["level"]
