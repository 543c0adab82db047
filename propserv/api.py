"""Core API: estates, buildings, units, residents, the working-day calendar, colleagues, the
user's own notifications and who the user is (`me`)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from propserv.models import (
    Building,
    CalendarDay,
    Estate,
    Notification,
    Resident,
    Unit,
    estate_ids_of,
)
from propserv.notifications import mark_read
from propserv.rest import EstateScopedViewSetMixin, error_response
from propserv.roles import Role, user_roles
from propserv.serializers import (
    BuildingSerializer,
    CalendarDaySerializer,
    CalendarDayWriteSerializer,
    EstateSerializer,
    MeSerializer,
    NotificationSerializer,
    ResidentSerializer,
    StaffSerializer,
    UnitSerializer,
)
from propserv.workdays import WorkCalendar, calendar_set_day


class EstateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Estate.objects.all()
    serializer_class = EstateSerializer
    filterset_fields = ["code"]

    def get_queryset(self):
        return Estate.objects.for_user(self.request.user)


class BuildingViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Building.objects.select_related("estate")
    serializer_class = BuildingSerializer
    filterset_fields = {"estate__code": ["exact"], "code": ["exact"]}


class UnitFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")
    building = django_filters.CharFilter(field_name="building__code")

    class Meta:
        model = Unit
        fields = ["code", "status", "use", "estate", "building"]


class UnitViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Unit.objects.select_related("estate", "building")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter


class ResidentFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")
    unit = django_filters.CharFilter(field_name="unit__code")

    class Meta:
        model = Resident
        fields = ["estate", "unit", "role"]


class ResidentViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Resident.objects.select_related("estate", "unit")
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter


class CalendarView(APIView):
    """GET ?year=2026&month=10: each day of the month; POST (staff admins): change one day."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("month", int, required=False),
        ],
        responses=CalendarDaySerializer(many=True),
    )
    def get(self, request):
        try:
            year = int(request.query_params.get("year", timezone.localdate().year))
            month = request.query_params.get("month")
            months = [int(month)] if month else list(range(1, 13))
            if not 1900 <= year <= 2200 or any(not 1 <= m <= 12 for m in months):
                raise ValueError
        except ValueError:
            return error_response(
                _("Give a year between 1900 and 2200 and a month between 1 and 12.")
            )
        cal = WorkCalendar()
        days = []
        for m in months:
            for d in range(1, pycalendar.monthrange(year, m)[1] + 1):
                info = cal.info(dt.date(year, m, d))
                days.append(
                    {
                        "date": info.date,
                        "is_working_day": info.is_working_day,
                        "reason": info.reason,
                        "name": info.name,
                        "provisional": info.provisional,
                    }
                )
        return Response(CalendarDaySerializer(days, many=True).data)

    @extend_schema(request=CalendarDayWriteSerializer, responses=CalendarDaySerializer)
    def post(self, request):
        if not request.user.is_staff:
            return error_response(
                _("Only administrators may edit the calendar."), "permission_denied", 403
            )
        serializer = CalendarDayWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kind = None if data["kind"] == "normal" else CalendarDay.Kind(data["kind"])
        calendar_set_day(date=data["date"], kind=kind, name=data["name"], actor=request.user)
        info = WorkCalendar().info(data["date"])
        return Response(CalendarDaySerializer(info.__dict__).data)


class StaffFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        field_name="groups__name", choices=Role.choices, label="role"
    )
    estate = django_filters.CharFilter(field_name="staff__estates__code", label="estate code")


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    """Colleagues of the estates the user works for (ids to dispatch a technician, name an owner
    …), filtered by `role` and `estate`; phones masked unless the user calls residents."""

    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    queryset = get_user_model().objects.none()  # the model, for the schema; see get_queryset

    def get_queryset(self):
        user = self.request.user
        qs = get_user_model().objects.filter(is_active=True, staff__isnull=False)
        if not user.is_superuser:
            qs = qs.filter(staff__estates__in=estate_ids_of(user))
        return (
            qs.distinct()
            .order_by("username")
            .select_related("staff")
            .prefetch_related("groups", "staff__estates")
        )


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's own notifications (the bell), newest first; `?unread=true` for unread ones."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the model, for the schema; see get_queryset

    def get_queryset(self):
        qs = Notification.objects.filter(recipient=self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            qs = qs.unread()
        return qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()
        mark_read(request.user, ids=[note.pk])
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": mark_read(request.user)})


class MeView(APIView):
    """Who the client is signed in as: roles and estates, to offer only what the user may do."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
            "is_superuser": user.is_superuser,
            "roles": sorted(user_roles(user)),
            "estates": list(
                Estate.objects.for_user(user).order_by("code").values_list("code", flat=True)
            ),
            "unread_notifications": Notification.objects.filter(recipient=user).unread().count(),
        }
        return Response(MeSerializer(data).data)
