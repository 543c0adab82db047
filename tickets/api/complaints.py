"""/api/v1/complaints/: scoped to the user's estates (another estate's
record is a 404), cursor-paginated; every change is a POST action calling the same service as the
web screens; a refusal propagates to the shared handler (propserv.rest): a change the record's
state does not allow is a 409, an actor who may not a 403."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from propserv.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from propserv.models import Deadline
from propserv.rest import EstateScopedViewSetMixin
from propserv.web import estates_for
from tickets.api.common import colleague, validated
from tickets.models import Complaint
from tickets.serializers import complaints as s
from tickets.services import complaints as services


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Complaint.Status.choices)
    grade = django_filters.MultipleChoiceFilter(choices=Complaint.Grade.choices)
    category = django_filters.MultipleChoiceFilter(choices=Complaint.Category.choices)
    estate = django_filters.CharFilter(field_name="estate__code")
    unit = django_filters.CharFilter(field_name="unit__code")
    owner = django_filters.CharFilter(
        field_name="owner__username", help_text="username: GET /api/v1/staff/"
    )
    repeat = django_filters.BooleanFilter(field_name="repeat_flagged")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    provisional = django_filters.BooleanFilter(method="filter_provisional")
    mine = django_filters.BooleanFilter(method="filter_mine")

    class Meta:
        model = Complaint
        fields = []

    @staticmethod
    def _open_deadlines():
        return Deadline.objects.filter(
            complaint=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True
        )

    def filter_overdue(self, queryset, name, value):
        late = Exists(self._open_deadlines().filter(due_at__lte=timezone.now()))
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_provisional(self, queryset, name, value):
        provisional = Exists(self._open_deadlines().filter(provisional=True))
        return queryset.filter(provisional) if value else queryset.exclude(provisional)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset


class ComplaintViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Complaint.objects.select_related(
        "estate", "unit", "owner", "graded_by"
    ).prefetch_related("deadlines")
    filterset_class = ComplaintFilter

    def get_serializer_class(self):
        if self.action == "create":
            return s.ComplaintCreateSerializer
        if self.action == "retrieve":
            return s.ComplaintDetailSerializer
        return s.ComplaintSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                "events__actor", "replies__replied_by", "extensions__approved_by"
            )
        return qs

    def _respond(self, request, complaint_id: int, http_status=status.HTTP_200_OK):
        complaint = self.get_queryset().get(pk=complaint_id)
        return Response(
            s.ComplaintSerializer(complaint, context={"request": request}).data,
            status=http_status,
        )

    @extend_schema(
        request=s.ComplaintCreateSerializer,
        responses={201: s.ComplaintSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("complaints.create")
    def create(self, request, *args, **kwargs):
        serializer = s.ComplaintCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.resolve(list(estates_for(request.user)))
        complaint = services.complaint_create(actor=request.user, **data)
        return self._respond(request, complaint.pk, status.HTTP_201_CREATED)

    def _run(self, request, service, **kwargs):
        complaint = self.get_object()  # 404 for another estate's complaint
        service(complaint_id=complaint.pk, actor=request.user, **kwargs)
        return self._respond(request, complaint.pk)

    @extend_schema(request=s.GradeSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        return self._run(request, services.complaint_grade, **validated(s.GradeSerializer, request))

    @extend_schema(request=s.ReportUpSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="report-up", url_name="report-up")
    def report_up(self, request, pk=None):
        return self._run(
            request, services.complaint_report_up, **validated(s.ReportUpSerializer, request)
        )

    @extend_schema(request=s.ReplySerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._run(request, services.complaint_reply, **validated(s.ReplySerializer, request))

    @extend_schema(request=s.HandleSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        return self._run(
            request, services.complaint_mark_handled, **validated(s.HandleSerializer, request)
        )

    @extend_schema(request=s.ExtendSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._run(
            request, services.complaint_extend, **validated(s.ExtendSerializer, request)
        )

    @extend_schema(request=s.OwnerSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def owner(self, request, pk=None):
        data = validated(s.OwnerSerializer, request)
        complaint = self.get_object()
        owner = colleague(complaint.estate, data["owner"], "owner")
        return self._run(request, services.complaint_assign_owner, owner=owner)
