"""/api/v1/complaints/ and /api/v1/callbacks/: scoped to the user's estates (another estate's
record is a 404), cursor-paginated; every change is a POST action calling the same service as the
web screens; a change the record's state does not allow is a 409."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from propserv.models import Deadline
from propserv.rest import Conflict, DefaultCursorPagination, EstateScopedViewSetMixin
from propserv.web import estates_for
from tickets import complaint_serializers as s
from tickets.models import Callback, Complaint, SecondHandling
from tickets.services import callbacks as callback_services
from tickets.services import complaints as services
from tickets.services.repairs import TransitionError


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Complaint.Status.choices)
    grade = django_filters.MultipleChoiceFilter(choices=Complaint.Grade.choices)
    category = django_filters.MultipleChoiceFilter(choices=Complaint.Category.choices)
    estate = django_filters.CharFilter(field_name="estate__code")
    unit = django_filters.CharFilter(field_name="unit__code")
    owner = django_filters.CharFilter(field_name="owner__username")
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


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _colleague(estate, username: str, field: str):
    user = (
        get_user_model()
        .objects.filter(username=username, is_active=True, staff__estates=estate)
        .first()
    )
    if user is None:
        raise DjangoValidationError({field: [_("Unknown colleague.")]})
    return user


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

    @extend_schema(request=s.ComplaintCreateSerializer, responses={201: s.ComplaintSerializer})
    def create(self, request, *args, **kwargs):
        serializer = s.ComplaintCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.resolve(list(estates_for(request.user)))
        complaint = services.complaint_create(actor=request.user, **data)
        return self._respond(request, complaint.pk, status.HTTP_201_CREATED)

    def _run(self, request, service, **kwargs):
        complaint = self.get_object()  # 404 for another estate's complaint
        try:
            service(complaint_id=complaint.pk, actor=request.user, **kwargs)
        except TransitionError as exc:
            raise Conflict(str(exc)) from exc
        return self._respond(request, complaint.pk)

    @extend_schema(request=s.GradeSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        return self._run(
            request, services.complaint_grade, **_validated(s.GradeSerializer, request)
        )

    @extend_schema(request=s.ReportUpSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="report-up", url_name="report-up")
    def report_up(self, request, pk=None):
        return self._run(
            request, services.complaint_report_up, **_validated(s.ReportUpSerializer, request)
        )

    @extend_schema(request=s.ReplySerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._run(
            request, services.complaint_reply, **_validated(s.ReplySerializer, request)
        )

    @extend_schema(request=s.HandleSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        return self._run(
            request, services.complaint_mark_handled, **_validated(s.HandleSerializer, request)
        )

    @extend_schema(request=s.ExtendSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._run(
            request, services.complaint_extend, **_validated(s.ExtendSerializer, request)
        )

    @extend_schema(request=s.OwnerSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def owner(self, request, pk=None):
        data = _validated(s.OwnerSerializer, request)
        complaint = self.get_object()
        owner = _colleague(complaint.estate, data["owner"], "owner")
        return self._run(request, services.complaint_assign_owner, owner=owner)


# --- callbacks -------------------------------------------------------------------------------------


class CallbackPagination(DefaultCursorPagination):
    ordering = ("due_at", "id")  # the queue: earliest due first


class CallbackFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Callback.Status.choices)
    estate = django_filters.CharFilter(field_name="estate__code")
    kind = django_filters.ChoiceFilter(
        choices=[("repair", "repair"), ("complaint", "complaint")], method="filter_kind"
    )
    mine = django_filters.BooleanFilter(method="filter_mine")
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Callback
        fields = []

    def filter_kind(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})

    def filter_mine(self, queryset, name, value):
        mine = Q(assigned_to=self.request.user) | Q(second_caller=self.request.user)
        return queryset.filter(mine) if value else queryset.exclude(mine)


class CallbackViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Callback.objects.select_related(
        "estate",
        "repair__reporter",
        "complaint__complainant",
        "assigned_to",
        "second_caller",
        "completed_by",
        "second_handling",
    ).prefetch_related("attempts__actor")
    serializer_class = s.CallbackQueueSerializer
    filterset_class = CallbackFilter
    pagination_class = CallbackPagination

    def _respond(self, request, callback_id: int):
        callback = self.get_queryset().get(pk=callback_id)
        return Response(s.CallbackQueueSerializer(callback, context={"request": request}).data)

    def _run(self, request, service, **kwargs):
        callback = self.get_object()
        try:
            service(callback_id=callback.pk, actor=request.user, **kwargs)
        except TransitionError as exc:
            raise Conflict(str(exc)) from exc
        return self._respond(request, callback.pk)

    @extend_schema(request=s.AttemptSerializer, responses=s.CallbackQueueSerializer)
    @action(detail=True, methods=["post"])
    def attempt(self, request, pk=None):
        return self._run(
            request,
            callback_services.callback_record_attempt,
            **_validated(s.AttemptSerializer, request),
        )

    @extend_schema(request=s.CompleteCallbackSerializer, responses=s.CallbackQueueSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._run(
            request,
            callback_services.callback_complete,
            **_validated(s.CompleteCallbackSerializer, request),
        )

    @extend_schema(request=s.AssignCallersSerializer, responses=s.CallbackQueueSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = _validated(s.AssignCallersSerializer, request)
        callback = self.get_object()
        caller = _colleague(callback.estate, data["assigned_to"], "assigned_to")
        second = (
            _colleague(callback.estate, data["second_caller"], "second_caller")
            if data["second_caller"]
            else None
        )
        return self._run(
            request, callback_services.callback_assign, assigned_to=caller, second_caller=second
        )

    @extend_schema(request=s.SecondHandlingDoneSerializer, responses=s.CallbackQueueSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="second-handling-done",
        url_name="second-handling-done",
    )
    def second_handling_done(self, request, pk=None):
        data = _validated(s.SecondHandlingDoneSerializer, request)
        callback = self.get_object()
        second = SecondHandling.objects.filter(callback=callback).first()
        if second is None:
            raise Conflict(_("This callback has no second handling."))
        callback_services.second_handling_finish(
            second_handling_id=second.pk, outcome=data["outcome"], actor=request.user
        )
        return self._respond(request, callback.pk)
