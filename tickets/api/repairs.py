"""/api/v1/repairs/: list, create, retrieve; state changes as POST actions calling the services.
A refusal propagates to the shared handler (propserv.rest): 409, 403/404 or 400."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from propserv.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from propserv.models import Deadline
from propserv.rest import DefaultCursorPagination, EstateScopedViewSetMixin
from tickets.models import Repair
from tickets.serializers import repairs as s
from tickets.services import repairs as services


class RepairFilter(django_filters.FilterSet):
    # distinct=False: one repair has one status, and DISTINCT costs the planner dearly here.
    status = django_filters.MultipleChoiceFilter(choices=Repair.Status.choices, distinct=False)
    urgent = django_filters.BooleanFilter()
    category = django_filters.CharFilter(
        field_name="category__code", help_text="a category `code`: GET /api/v1/repair-categories/"
    )
    building = django_filters.CharFilter(field_name="unit__building__code")
    unit = django_filters.CharFilter(field_name="unit__code")
    technician = django_filters.CharFilter(
        field_name="technician__username",
        help_text="a technician's username: GET /api/v1/staff/?role=technician",
    )
    estate = django_filters.CharFilter(field_name="estate__code")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Repair
        fields = []

    def filter_overdue(self, queryset, name, value):
        late = Deadline.objects.filter(
            repair=OuterRef("pk"),
            met_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__lte=timezone.now(),
        )
        return queryset.filter(Exists(late)) if value else queryset.exclude(Exists(late))


class RepairPagination(DefaultCursorPagination):
    ordering = "-id"  # the page is .values() rows, which have "id" but no "pk"


class RepairViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Repair.objects.all()
    filterset_class = RepairFilter
    pagination_class = RepairPagination

    def get_serializer_class(self):
        # For the schema and the browsable API; responses are built by s.represent_repairs.
        if self.action == "create":
            return s.RepairCreateSerializer
        if self.action == "retrieve":
            return s.RepairDetailSerializer
        return s.RepairSerializer

    def _represent(self, repair_id: int) -> dict:
        rows = s.repair_rows(Repair.objects.filter(pk=repair_id))
        return s.represent_repairs(list(rows), self.request.user)[0]

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(s.repair_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(s.represent_repairs(page, request.user))

    def retrieve(self, request, *args, **kwargs):
        repair = self.get_object()
        data = self._represent(repair.pk)
        events = repair.events.select_related("actor").order_by("at", "pk")
        data["events"] = s.RepairEventSerializer(events, many=True).data
        return Response(data)

    @extend_schema(
        request=s.RepairCreateSerializer,
        responses={201: s.RepairSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("repairs.create")
    def create(self, request, *args, **kwargs):
        serializer = s.RepairCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        repair = services.repair_create(actor=request.user, **serializer.resolve(request.user))
        data = s.represent_repairs([s.repair_row(repair)], request.user)[0]
        return Response(data, status=status.HTTP_201_CREATED)

    def _run(self, request, service, **kwargs):
        repair = self.get_object()  # 404 for another estate's repair
        service(repair_id=repair.pk, actor=request.user, **kwargs)
        return Response(self._represent(repair.pk))

    @extend_schema(request=s.DispatchSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_technician(self, request, pk=None):
        # Not named `dispatch`: that is APIView's request entry point.
        data = self._validated(s.DispatchSerializer, request)
        repair = self.get_object()
        technician = (
            get_user_model()
            .objects.filter(username=data["technician"], staff__estates=repair.estate)
            .first()
        )
        if technician is None:
            raise DjangoValidationError({"technician": [_("Unknown technician.")]})
        return self._run(request, services.repair_dispatch, technician=technician)

    @extend_schema(request=None, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._run(request, services.repair_mark_arrived)

    @extend_schema(request=None, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._run(request, services.repair_start)

    @extend_schema(request=s.CompleteSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._run(
            request, services.repair_complete, **self._validated(s.CompleteSerializer, request)
        )

    @extend_schema(request=s.HoldSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._run(
            request, services.repair_hold, **self._validated(s.HoldSerializer, request)
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._run(
            request, services.repair_cancel, **self._validated(s.ReasonSerializer, request)
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._run(
            request, services.repair_reopen, **self._validated(s.ReasonSerializer, request)
        )

    @extend_schema(request=s.CallbackSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        return self._run(
            request,
            services.repair_record_callback,
            **self._validated(s.CallbackSerializer, request),
        )

    @extend_schema(request=s.QuoteSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def quote(self, request, pk=None):
        data = self._validated(s.QuoteSerializer, request)
        lines = [(line["price_item"], line["quantity"]) for line in data["lines"]]
        return self._run(request, services.repair_quote, lines=lines)

    @extend_schema(request=s.ConsentSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        return self._run(
            request,
            services.repair_record_consent,
            **self._validated(s.ConsentSerializer, request),
        )

    @staticmethod
    def _validated(serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
