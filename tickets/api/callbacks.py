"""/api/v1/callbacks/: scoped to the user's estates (another estate's
record is a 404), cursor-paginated; every change is a POST action calling the same service as the
web screens; a refusal propagates to the shared handler (propserv.rest)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from propserv.errors import InvalidTransition
from propserv.rest import DefaultCursorPagination, EstateScopedViewSetMixin
from tickets.api.common import colleague, validated
from tickets.models import Callback, SecondHandling
from tickets.serializers import callbacks as s
from tickets.services import callbacks as callback_services
from tickets.services import queue, second_handlings


class CallbackPagination(DefaultCursorPagination):
    ordering = ("due_at", "id")  # the queue: earliest due first


class CallbackFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Callback.Status.choices)
    estate = django_filters.CharFilter(field_name="estate__code")
    kind = django_filters.ChoiceFilter(
        choices=[("repair", "repair"), ("complaint", "complaint")]
        + [(k, k) for k in Callback.Kind.values if k != Callback.Kind.PROBLEM],
        method="filter_kind",
    )
    mine = django_filters.BooleanFilter(method="filter_mine")
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Callback
        fields = []

    def filter_kind(self, queryset, name, value):
        if value in ("repair", "complaint"):
            return queryset.filter(**{f"{value}__isnull": False})
        return queryset.filter(kind=value)

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
        "unit",
        "contact",
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
        service(callback_id=callback.pk, actor=request.user, **kwargs)
        return self._respond(request, callback.pk)

    @extend_schema(request=s.AttemptSerializer, responses=s.CallbackQueueSerializer)
    @action(detail=True, methods=["post"])
    def attempt(self, request, pk=None):
        return self._run(
            request,
            callback_services.callback_record_attempt,
            **validated(s.AttemptSerializer, request),
        )

    @extend_schema(request=s.CompleteCallbackSerializer, responses=s.CallbackQueueSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._run(
            request,
            queue.callback_complete,
            **validated(s.CompleteCallbackSerializer, request),
        )

    @extend_schema(request=s.AssignCallersSerializer, responses=s.CallbackQueueSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = validated(s.AssignCallersSerializer, request)
        callback = self.get_object()
        caller = colleague(callback.estate, data["assigned_to"], "assigned_to")
        second = (
            colleague(callback.estate, data["second_caller"], "second_caller")
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
        data = validated(s.SecondHandlingDoneSerializer, request)
        callback = self.get_object()
        second = SecondHandling.objects.filter(callback=callback).first()
        if second is None:
            raise InvalidTransition(_("This callback has no second handling."))
        second_handlings.second_handling_finish(
            second_handling_id=second.pk, outcome=data["outcome"], actor=request.user
        )
        return self._respond(request, callback.pk)
