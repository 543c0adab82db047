"""/api/v1/visits/, /api/v1/handovers/, /api/v1/notices/: the same services as the web screens.

Every queryset is scoped to the user's estates: another estate's record is a 404. A service's
refusal propagates to the shared DRF exception handler (propserv.rest): 409, 403 or 400.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from propserv.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from propserv.rest import EstateScopedViewSetMixin
from propserv.web import estates_for
from visits import serializers as s
from visits.models import Handover, HandoverItem, Notice, NoticeCall, Visit
from visits.services import complaints as complaint_services
from visits.services import first_contact, reception
from visits.services import handover as handover_services
from visits.services import notices as notice_services


class VisitFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Visit.Status.choices)
    category = django_filters.MultipleChoiceFilter(choices=Visit.Category.choices)
    estate = django_filters.CharFilter(field_name="estate__code")
    unit = django_filters.CharFilter(field_name="unit__code")
    owner = django_filters.CharFilter(
        field_name="owner__username", help_text="username: GET /api/v1/staff/"
    )
    open = django_filters.BooleanFilter(method="filter_open")

    class Meta:
        model = Visit
        fields = []

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.filter(status=Visit.Status.CLOSED)


class VisitViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Visit.objects.select_related(
        "estate", "unit", "owner", "received_by", "repair", "complaint"
    )
    filterset_class = VisitFilter

    def get_serializer_class(self):
        if self.action == "create":
            return s.VisitCreateSerializer
        if self.action == "retrieve":
            return s.VisitDetailSerializer
        return s.VisitSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.prefetch_related("events__actor") if self.action == "retrieve" else qs

    def _respond(self, visit, code=status.HTTP_200_OK):
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(
            s.VisitSerializer(visit, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        request=s.VisitCreateSerializer,
        responses={201: s.VisitSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("visits.create")
    def create(self, request, *args, **kwargs):
        serializer = s.VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.resolve(list(estates_for(request.user)))
        visit = reception.visit_create(actor=request.user, **data)
        return self._respond(visit, status.HTTP_201_CREATED)

    @extend_schema(request=s.VisitResolveSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        visit = self.get_object()
        data = _validated(s.VisitResolveSerializer, request)
        reception.visit_resolve(visit_id=visit.pk, actor=request.user, **data)
        return self._respond(visit)

    @extend_schema(request=s.VisitNoteSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        visit = self.get_object()
        data = _validated(s.VisitNoteSerializer, request)
        reception.visit_record_callback(visit_id=visit.pk, actor=request.user, **data)
        return self._respond(visit)

    @extend_schema(request=None, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        """The desk takes an entry nobody owns yet (a web report): it is the caller's from now."""
        visit = self.get_object()
        first_contact.visit_take(visit_id=visit.pk, actor=request.user)
        return self._respond(visit)

    @extend_schema(request=s.VisitNoteSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        visit = self.get_object()
        data = _validated(s.VisitNoteSerializer, request)
        reception.visit_add_note(visit_id=visit.pk, actor=request.user, **data)
        return self._respond(visit)

    @extend_schema(request=s.VisitToRepairSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"], url_path="to-repair", url_name="to-repair")
    def to_repair(self, request, pk=None):
        visit = self.get_object()
        serializer = s.VisitToRepairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.resolve(visit)
        reception.visit_convert_to_repair(visit_id=visit.pk, actor=request.user, **data)
        return self._respond(visit, status.HTTP_201_CREATED)

    @extend_schema(request=s.VisitToComplaintSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"], url_path="to-complaint", url_name="to-complaint")
    def to_complaint(self, request, pk=None):
        visit = self.get_object()
        data = _validated(s.VisitToComplaintSerializer, request)
        data["description"] = data.get("description") or visit.summary
        complaint_services.visit_convert_to_complaint(visit_id=visit.pk, actor=request.user, **data)
        return self._respond(visit, status.HTTP_201_CREATED)


class HandoverViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Handover.objects.select_related(
        "estate", "handed_by", "acknowledged_by"
    ).prefetch_related(
        "members",
        "recipients",
        Prefetch(
            "items",
            queryset=HandoverItem.objects.select_related(
                "from_owner",
                "visit__estate",
                "visit__unit",
                "visit__owner",
                "visit__received_by",
                "visit__repair",
                "visit__complaint",
            ).order_by("pk"),
        ),
    )
    serializer_class = s.HandoverSerializer

    def get_serializer_class(self):
        return s.HandoverCreateSerializer if self.action == "create" else s.HandoverSerializer

    def _respond(self, handover, code=status.HTTP_200_OK):
        handover = self.get_queryset().get(pk=handover.pk)
        return Response(
            s.HandoverSerializer(handover, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=s.HandoverCreateSerializer, responses={201: s.HandoverSerializer})
    def create(self, request, *args, **kwargs):
        data = _validated(s.HandoverCreateSerializer, request)
        estate = estates_for(request.user).filter(code=data["estate"]).first()
        if estate is None:
            raise DjangoValidationError({"estate": [_("Unknown estate.")]})
        people = {}
        for name in ("members", "recipients"):
            people[name] = list(
                get_user_model()
                .objects.filter(username__in=data[name], staff__estates=estate, is_active=True)
                .distinct()
            )
            if len(people[name]) != len(set(data[name])):
                raise DjangoValidationError(
                    {name: [_("Everyone on the shift must work for the estate.")]}
                )
        handover = handover_services.handover_create(
            estate=estate,
            actor=request.user,
            members=people["members"],
            recipients=people["recipients"],
            note=data["note"],
        )
        return self._respond(handover, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        handover = self.get_object()
        handover_services.handover_acknowledge(handover_id=handover.pk, actor=request.user)
        return self._respond(handover)


class NoticeViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Notice.objects.select_related("estate", "building", "approved_by").annotate(
        households=Count("calls"),
        reached=Count("calls", filter=Q(calls__outcome=NoticeCall.Outcome.REACHED)),
    )
    serializer_class = s.NoticeSerializer

    def get_serializer_class(self):
        return s.NoticeCreateSerializer if self.action == "create" else s.NoticeSerializer

    def _respond(self, notice, code=status.HTTP_200_OK):
        notice = self.get_queryset().get(pk=notice.pk)
        return Response(
            s.NoticeSerializer(notice, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=s.NoticeCreateSerializer, responses={201: s.NoticeSerializer})
    def create(self, request, *args, **kwargs):
        serializer = s.NoticeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.resolve(list(estates_for(request.user)))
        notice = notice_services.notice_create(actor=request.user, **data)
        return self._respond(notice, status.HTTP_201_CREATED)

    def _step(self, service):
        notice = self.get_object()
        service(notice_id=notice.pk, actor=self.request.user)
        return self._respond(notice)

    @extend_schema(request=None, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(notice_services.notice_approve)

    @extend_schema(request=None, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._step(notice_services.notice_publish)

    @extend_schema(request=None, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(notice_services.notice_withdraw)

    @extend_schema(request=None, responses=s.NoticeCallSerializer(many=True))
    @action(detail=True, methods=["get"])
    def calls(self, request, pk=None):
        notice = self.get_object()
        return Response(
            s.NoticeCallSerializer(
                notice.calls.select_related("unit"), many=True, context={"request": request}
            ).data
        )

    @extend_schema(request=s.NoticeCallRecordSerializer, responses=s.NoticeCallSerializer)
    @action(detail=True, methods=["post"], url_path="record-call", url_name="record-call")
    def record_call(self, request, pk=None):
        notice = self.get_object()
        data = _validated(s.NoticeCallRecordSerializer, request)
        call = get_object_or_404(NoticeCall, notice=notice, pk=data.pop("call"))
        call = notice_services.notice_record_call(call_id=call.pk, actor=request.user, **data)
        return Response(s.NoticeCallSerializer(call, context={"request": request}).data)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
