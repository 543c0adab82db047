"""/api/v1/relay-items/, /api/v1/common-patrols/, /api/v1/title-certificates/: the same
services as the pages. Every queryset is scoped to the user's estates (another estate's record
is a 404); refusals go through the shared DRF exception handler (propserv.rest)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from propserv.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from propserv.models import Unit
from propserv.rest import EstateScopedViewSetMixin
from propserv.web import estates_for
from tickets.models import RepairCategory
from visits.models import CommonPatrol, PatrolPlace, RelayItem, TitleCertificate
from visits.serializers import relay as s
from visits.services import patrols, relay, titles


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _estate(user, code: str):
    estate = estates_for(user).filter(code=code).first()
    if estate is None:
        raise DjangoValidationError({"estate": [_("Unknown estate.")]})
    return estate


class RelayItemViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = RelayItem.objects.select_related(
        "estate", "visit", "visit__unit", "head", "reported_by"
    ).prefetch_related("events__actor")
    serializer_class = s.RelayItemSerializer

    def get_serializer_class(self):
        return s.RelayCreateSerializer if self.action == "create" else s.RelayItemSerializer

    def _respond(self, item, code=status.HTTP_200_OK):
        item = self.get_queryset().get(pk=item.pk)
        return Response(s.RelayItemSerializer(item).data, status=code)

    @extend_schema(
        request=s.RelayCreateSerializer,
        responses={201: s.RelayItemSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("relay.create")
    def create(self, request, *args, **kwargs):
        data = _validated(s.RelayCreateSerializer, request)
        estate = _estate(request.user, data.pop("estate"))
        code = data.pop("unit").strip()
        unit = Unit.objects.filter(estate=estate, code=code).first() if code else None
        if code and unit is None:
            raise DjangoValidationError({"unit": [_("There is no such unit in this estate.")]})
        item = relay.relay_report(estate=estate, actor=request.user, unit=unit, **data)
        return self._respond(item, status.HTTP_201_CREATED)

    @extend_schema(request=s.RelayRouteSerializer, responses=s.RelayItemSerializer)
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        item = self.get_object()
        relay.relay_route(
            item_id=item.pk, actor=request.user, **_validated(s.RelayRouteSerializer, request)
        )
        return self._respond(item)

    @extend_schema(request=s.RelayExpectedSerializer, responses=s.RelayItemSerializer)
    @action(detail=True, methods=["post"])
    def expected(self, request, pk=None):
        item = self.get_object()
        data = _validated(s.RelayExpectedSerializer, request)
        relay.relay_set_expected(item_id=item.pk, actor=request.user, **data)
        return self._respond(item)

    @extend_schema(request=s.RelayNoteSerializer, responses=s.RelayItemSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        item = self.get_object()
        data = _validated(s.RelayNoteSerializer, request)
        relay.relay_mark_done(item_id=item.pk, actor=request.user, **data)
        return self._respond(item)

    @extend_schema(request=s.RelayCheckSerializer, responses=s.RelayItemSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        item = self.get_object()
        data = _validated(s.RelayCheckSerializer, request)
        relay.relay_check(item_id=item.pk, actor=request.user, **data)
        return self._respond(item)

    @extend_schema(request=s.RelayNoteSerializer, responses=s.RelayItemSerializer)
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        item = self.get_object()
        data = _validated(s.RelayNoteSerializer, request)
        relay.relay_callback(item_id=item.pk, actor=request.user, **data)
        return self._respond(item)


class CommonPatrolViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = CommonPatrol.objects.select_related("estate", "done_by").prefetch_related(
        "problems__place", "problems__repair", "problems__relay"
    )
    serializer_class = s.CommonPatrolSerializer

    def get_serializer_class(self):
        return (
            s.CommonPatrolRecordSerializer if self.action == "create" else s.CommonPatrolSerializer
        )

    @extend_schema(
        request=s.CommonPatrolRecordSerializer,
        responses={201: s.CommonPatrolSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("common_patrols.create")
    def create(self, request, *args, **kwargs):
        """Record today's round: `checks` names every place of the estate's checklist."""
        data = _validated(s.CommonPatrolRecordSerializer, request)
        estate = _estate(request.user, data["estate"])
        places = {p.pk: p for p in PatrolPlace.objects.filter(estate=estate, active=True)}
        categories = {c.code: c for c in RepairCategory.objects.filter(estate=estate)}
        checks = []
        for row in data["checks"]:
            if row["place"] not in places:
                raise DjangoValidationError(
                    {"checks": [_("A place of another estate is on this round.")]}
                )
            checks.append(
                patrols.Check(
                    place=places[row["place"]],
                    result=row["result"],
                    problem=row["problem"],
                    category=categories.get(row["category"]),
                    department=row["department"],
                )
            )
        patrol = patrols.common_patrol_record(
            estate=estate, actor=request.user, slot=data["slot"], checks=checks, notes=data["notes"]
        )
        patrol = self.get_queryset().get(pk=patrol.pk)
        return Response(s.CommonPatrolSerializer(patrol).data, status=status.HTTP_201_CREATED)


class TitleCertificateViewSet(
    EstateScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = TitleCertificate.objects.select_related("estate", "unit", "owner")
    serializer_class = s.TitleCertificateSerializer

    @extend_schema(request=s.TitleAdvanceSerializer, responses=s.TitleCertificateSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        cert = self.get_object()
        data = _validated(s.TitleAdvanceSerializer, request)
        titles.title_advance(certificate_id=cert.pk, actor=request.user, **data)
        return Response(s.TitleCertificateSerializer(self.get_queryset().get(pk=cert.pk)).data)

    @extend_schema(request=None, responses=s.TitleCertificateSerializer)
    @action(detail=True, methods=["post"])
    def notified(self, request, pk=None):
        cert = self.get_object()
        titles.title_owner_notified(certificate_id=cert.pk, actor=request.user)
        return Response(s.TitleCertificateSerializer(self.get_queryset().get(pk=cert.pk)).data)
