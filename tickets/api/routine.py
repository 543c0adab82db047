"""/api/v1/routine-callbacks/ (plan the period's household visits, plan a paid-service or an
emergency callback) and /api/v1/key-households/ (the register). Routine callbacks are read and
worked — attempts, outcome, callers — through /api/v1/callbacks/ like every other callback. Each
write calls the same service as the web screens; refusals go to the shared handler
(propserv.rest)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from propserv.rest import DefaultCursorPagination, EstateScopedViewSetMixin
from tickets.api.common import validated
from tickets.models import Callback, KeyHousehold
from tickets.serializers import callbacks as cs
from tickets.serializers import routine as s
from tickets.services import routine as services


class RoutineCallbackViewSet(viewsets.GenericViewSet):
    """Writes only: the callbacks made are listed at /api/v1/callbacks/?kind=admin_visit …"""

    queryset = Callback.objects.none()
    serializer_class = cs.CallbackQueueSerializer

    @extend_schema(request=s.GenerateVisitsSerializer, responses=s.GeneratedSerializer)
    @action(detail=False, methods=["post"])
    def generate(self, request):
        data = validated(s.GenerateVisitsSerializer, request)
        estate = s.resolve_estate(request.user, data["estate"])
        created = services.routine_generate_visits(
            estate=estate, kind=data["kind"], actor=request.user, on=data.get("on")
        )
        return Response({"created": created})

    @extend_schema(request=s.PlanCallbackSerializer, responses={201: cs.CallbackQueueSerializer})
    def create(self, request):
        data = validated(s.PlanCallbackSerializer, request)
        estate = s.resolve_estate(request.user, data["estate"])
        unit = s.resolve_unit(estate, data["unit"])
        callback = services.routine_plan(
            estate=estate,
            kind=data["kind"],
            unit=unit,
            contact=s.resolve_resident(unit, data.get("resident")),
            topic=data["topic"],
            due_on_date=data.get("due_on"),
            actor=request.user,
        )
        body = cs.CallbackQueueSerializer(callback, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class KeyHouseholdViewSet(EstateScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = KeyHousehold.objects.select_related("estate", "unit", "resident")
    serializer_class = s.KeyHouseholdSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.query_params.get("all") != "1":
            qs = qs.filter(removed_at__isnull=True)
        if code := self.request.query_params.get("estate"):
            qs = qs.filter(estate__code=code)
        return qs

    @extend_schema(
        request=s.KeyHouseholdCreateSerializer, responses={201: s.KeyHouseholdSerializer}
    )
    def create(self, request):
        data = validated(s.KeyHouseholdCreateSerializer, request)
        estate = s.resolve_estate(request.user, data["estate"])
        unit = s.resolve_unit(estate, data["unit"])
        row = services.key_household_add(
            estate=estate,
            unit=unit,
            resident=s.resolve_resident(unit, data.get("resident")),
            reason=data["reason"],
            actor=request.user,
        )
        return Response(s.KeyHouseholdSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.KeyHouseholdRemoveSerializer, responses=s.KeyHouseholdSerializer)
    @action(detail=False, methods=["post"])
    def remove(self, request):
        data = validated(s.KeyHouseholdRemoveSerializer, request)
        row = KeyHousehold.objects.for_user(request.user).filter(pk=data["id"]).first()
        if row is None:
            raise Http404
        row = services.key_household_remove(
            key_household_id=row.pk, reason=data["reason"], actor=request.user
        )
        return Response(s.KeyHouseholdSerializer(row).data)
