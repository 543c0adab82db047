"""/api/v1/renovations/ (+ /patrols/, /passes/, /rectifications/, /releases/): scoped reads,
state changes as POST actions calling the same services as the screens. Another estate's record
is a 404; refusals propagate to the shared exception handler (propserv.rest)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from inspections import selectors, services
from inspections.models import GoodsRelease, Patrol, Rectification, Renovation, WorkerPass
from inspections.serializers import (
    AcceptanceSerializer,
    ApplySerializer,
    ApproveSerializer,
    NoticeSerializer,
    PassIssueSerializer,
    PassSerializer,
    PatrolRecordSerializer,
    PatrolSerializer,
    RectificationSerializer,
    ReinspectSerializer,
    RejectSerializer,
    ReleaseIssueSerializer,
    ReleaseSerializer,
    RenovationSerializer,
    RevokeSerializer,
)
from keys.models import ContractorPerson
from propserv.models import Resident, Unit
from propserv.rest import EstateScopedViewSetMixin
from propserv.roles import RENOVATION_VIEWERS, has_role


class RenovationPermission(BasePermission):
    """Only the roles that follow renovations see them through the API too."""

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, RENOVATION_VIEWERS)


def _valid(serializer_class, request):
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _pass_context(request):
    now = timezone.now()
    return {"request": request, "state": lambda p: services.pass_state(p, now)}


class Base(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, RenovationPermission]


class RenovationViewSet(Base):
    queryset = Renovation.objects.select_related(
        "estate", "unit", "owner", "contractor", "responsible"
    )
    serializer_class = RenovationSerializer
    filterset_fields = ["status"]

    def _done(self, renovation, code=status.HTTP_200_OK):
        renovation = self.get_queryset().get(pk=renovation.pk)
        return Response(
            RenovationSerializer(renovation, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=ApplySerializer, responses={201: RenovationSerializer})
    def create(self, request, *args, **kwargs):
        d = _valid(ApplySerializer, request)
        unit = Unit.objects.for_user(request.user).filter(pk=d["unit"]).first()
        if unit is None:
            raise Http404
        owner = Resident.objects.filter(pk=d["owner"], unit=unit).first()
        person = (
            ContractorPerson.objects.filter(pk=d["responsible"], contractor__estate=unit.estate_id)
            .select_related("contractor")
            .first()
        )
        if owner is None:
            raise DjangoValidationError({"owner": _("No such owner of this unit.")})
        if person is None:
            raise DjangoValidationError({"responsible": _("No such responsible person.")})
        renovation = services.renovation_apply(
            unit=unit,
            owner=owner,
            contractor=person.contractor,
            responsible=person,
            scope=d["scope"],
            scope_other=d["scope_other"],
            planned_start=d["planned_start"],
            planned_end=d["planned_end"],
            deposit=d["deposit"],
            actor=request.user,
        )
        return self._done(renovation, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveSerializer, responses=RenovationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        d = _valid(ApproveSerializer, request)
        return self._done(
            services.renovation_approve(
                renovation=self.get_object(), conditions=d["conditions"], actor=request.user
            )
        )

    @extend_schema(request=RejectSerializer, responses=RenovationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        d = _valid(RejectSerializer, request)
        return self._done(
            services.renovation_reject(
                renovation=self.get_object(), reasons=d["reasons"], actor=request.user
            )
        )

    @extend_schema(request=PassIssueSerializer, responses={201: PassSerializer})
    @action(detail=True, methods=["post"])
    def passes(self, request, pk=None):
        d = _valid(PassIssueSerializer, request)
        worker_pass = services.pass_issue(renovation=self.get_object(), actor=request.user, **d)
        return Response(
            PassSerializer(worker_pass, context=_pass_context(request)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PatrolRecordSerializer, responses={201: PatrolSerializer})
    @action(detail=True, methods=["post"])
    def patrol(self, request, pk=None):
        d = _valid(PatrolRecordSerializer, request)
        patrol = services.patrol_record(renovation=self.get_object(), actor=request.user, **d)
        return Response(PatrolSerializer(patrol).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoticeSerializer, responses={201: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def notices(self, request, pk=None):
        d = _valid(NoticeSerializer, request)
        notice = services.notice_issue(renovation=self.get_object(), actor=request.user, **d)
        return Response(RectificationSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RenovationSerializer)
    @action(detail=True, methods=["post"], url_path="request-acceptance")
    def request_acceptance(self, request, pk=None):
        return self._done(
            services.acceptance_request(renovation=self.get_object(), actor=request.user)
        )

    @extend_schema(request=AcceptanceSerializer, responses=RenovationSerializer)
    @action(detail=True, methods=["post"])
    def acceptance(self, request, pk=None):
        d = _valid(AcceptanceSerializer, request)
        renovation = self.get_object()
        services.acceptance_record(renovation=renovation, actor=request.user, **d)
        return self._done(renovation)


class PassViewSet(Base):
    queryset = WorkerPass.objects.select_related("renovation")
    serializer_class = PassSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_pass_context(self.request)}

    @extend_schema(request=RevokeSerializer, responses=PassSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        d = _valid(RevokeSerializer, request)
        worker_pass = services.pass_revoke(
            worker_pass=self.get_object(), reason=d["reason"], actor=request.user
        )
        return Response(PassSerializer(worker_pass, context=_pass_context(request)).data)

    @extend_schema(responses=PassSerializer)
    @action(detail=False, methods=["get"])
    def check(self, request):
        """The gate check: ?n=<pass number> → the pass with its state (404: no such pass)."""
        state, worker_pass = selectors.gate_check(
            request.user, request.query_params.get("n", ""), timezone.now()
        )
        if worker_pass is None:
            raise Http404
        return Response(PassSerializer(worker_pass, context=_pass_context(request)).data)


class PatrolViewSet(Base):
    queryset = Patrol.objects.select_related("renovation")
    serializer_class = PatrolSerializer
    filterset_fields = ["renovation", "day"]


class RectificationViewSet(Base):
    queryset = Rectification.objects.select_related("renovation")
    serializer_class = RectificationSerializer
    filterset_fields = ["renovation", "status"]

    @extend_schema(request=ReinspectSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def reinspect(self, request, pk=None):
        d = _valid(ReinspectSerializer, request)
        notice = self.get_object()
        services.notice_reinspect(rectification=notice, actor=request.user, **d)
        notice.refresh_from_db()
        return Response(RectificationSerializer(notice).data)


class ReleaseViewSet(Base):
    queryset = GoodsRelease.objects.select_related("unit")
    serializer_class = ReleaseSerializer

    @extend_schema(request=ReleaseIssueSerializer, responses={201: ReleaseSerializer})
    def create(self, request, *args, **kwargs):
        d = _valid(ReleaseIssueSerializer, request)
        unit = Unit.objects.for_user(request.user).filter(pk=d.pop("unit")).first()
        if unit is None:
            raise Http404
        release = services.release_issue(unit=unit, actor=request.user, **d)
        return Response(ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReleaseSerializer)
    @action(detail=True, methods=["post"])
    def use(self, request, pk=None):
        release = services.release_use(release=self.get_object(), actor=request.user)
        return Response(ReleaseSerializer(release).data)
