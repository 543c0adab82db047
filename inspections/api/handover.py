"""/api/v1/handover/problems/ and /api/v1/handover/appointments/: the problem list (bulk entry,
fix, re-check) and move-in appointments (book, arrive, accept, refuse, welcome visit), calling
the same services as the screens. Another estate's record is a 404; refusals go through the
shared exception handler (propserv.rest)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from inspections import services
from inspections.models import (
    DefectType,
    InspectionRound,
    MoveInAppointment,
    MoveInBatch,
    Problem,
)
from inspections.serializers.handover import (
    AcceptSerializer,
    AppointmentSerializer,
    BookSerializer,
    FixSerializer,
    NoteSerializer,
    ProblemsAddSerializer,
    ProblemSerializer,
    RecheckSerializer,
    RefuseSerializer,
)
from keys.models import Key
from propserv.models import Resident, Unit
from propserv.rest import EstateScopedViewSetMixin
from propserv.roles import HANDOVER_VIEWERS, has_role


class HandoverPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_role(request.user, HANDOVER_VIEWERS)


def _valid(serializer_class, request):
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


class Base(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, HandoverPermission]


class ProblemViewSet(Base):
    queryset = Problem.objects.select_related("unit", "defect_type")
    serializer_class = ProblemSerializer
    filterset_fields = ["unit", "status", "severity", "round"]

    @extend_schema(request=ProblemsAddSerializer, responses={201: ProblemSerializer(many=True)})
    def create(self, request, *args, **kwargs):
        """Several problems at once; one bad row refuses them all."""
        d = _valid(ProblemsAddSerializer, request)
        units = {
            u.pk: u
            for u in Unit.objects.for_user(request.user).filter(
                pk__in=[r["unit"] for r in d["rows"]]
            )
        }
        if not units:
            raise Http404
        estate = next(iter(units.values())).estate
        types = {t.pk: t for t in DefectType.objects.filter(estate=estate)}
        round_ = appointment = None
        if d.get("round"):
            round_ = InspectionRound.objects.filter(estate=estate, pk=d["round"]).first()
            if round_ is None:
                raise DjangoValidationError({"round": _("Choose a round of this estate.")})
        if d.get("appointment"):
            appointment = MoveInAppointment.objects.filter(
                estate=estate, pk=d["appointment"]
            ).first()
            if appointment is None:
                raise DjangoValidationError({"appointment": _("No such appointment.")})
        rows = [
            services.NewProblem(
                unit=units.get(r["unit"]),
                location=r["location"],
                defect_type=types.get(r["defect_type"]),
                severity=r["severity"],
                description=r.get("description", ""),
            )
            for r in d["rows"]
        ]
        created = services.problems_add(
            estate=estate, rows=rows, round=round_, appointment=appointment, actor=request.user
        )
        return Response(ProblemSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FixSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def fix(self, request, pk=None):
        d = _valid(FixSerializer, request)
        problem = services.problem_fix(
            problem=self.get_object(), evidence=d["evidence"], actor=request.user
        )
        return Response(ProblemSerializer(problem).data)

    @extend_schema(request=RecheckSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        d = _valid(RecheckSerializer, request)
        problem = services.problem_recheck(
            problem=self.get_object(), passed=d["passed"], actor=request.user
        )
        return Response(ProblemSerializer(problem).data)


class AppointmentViewSet(Base):
    queryset = MoveInAppointment.objects.select_related("unit", "owner", "estate")
    serializer_class = AppointmentSerializer
    filterset_fields = ["day", "status", "batch", "unit"]

    def _done(self, appointment, code=status.HTTP_200_OK):
        appointment = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentSerializer(appointment).data, status=code)

    @extend_schema(request=BookSerializer, responses={201: AppointmentSerializer})
    def create(self, request, *args, **kwargs):
        d = _valid(BookSerializer, request)
        unit = Unit.objects.for_user(request.user).filter(pk=d["unit"]).first()
        if unit is None:
            raise Http404
        owner = Resident.objects.filter(pk=d["owner"], unit=unit).first()
        if owner is None:
            raise DjangoValidationError({"owner": _("Choose an owner registered for this unit.")})
        batch = None
        if d.get("batch"):
            batch = MoveInBatch.objects.filter(pk=d["batch"], plan__estate=unit.estate_id).first()
            if batch is None:
                raise DjangoValidationError({"batch": _("Choose a batch of this estate.")})
        appointment = services.appointment_book(
            unit=unit,
            owner=owner,
            batch=batch,
            day=d.get("day"),
            time=d.get("time"),
            actor=request.user,
        )
        return self._done(appointment, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._done(
            services.appointment_arrive(appointment=self.get_object(), actor=request.user)
        )

    @extend_schema(request=AcceptSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        d = _valid(AcceptSerializer, request)
        appointment = self.get_object()
        keys = list(Key.objects.filter(pk__in=d["keys"], estate=appointment.estate_id))
        if len(keys) != len(set(d["keys"])):
            raise DjangoValidationError({"keys": _("Choose the keys to hand over.")})
        services.appointment_accept(
            appointment=appointment,
            override_reason=d["override_reason"],
            keys=keys,
            owner_id_last4=d["owner_id_last4"],
            identity_checked=d["identity_checked"],
            actor=request.user,
        )
        return self._done(appointment)

    @extend_schema(request=RefuseSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        d = _valid(RefuseSerializer, request)
        return self._done(
            services.appointment_refuse(
                appointment=self.get_object(), reasons=d["reasons"], actor=request.user
            )
        )

    @extend_schema(request=NoteSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="welcome-visit")
    def welcome_visit(self, request, pk=None):
        d = _valid(NoteSerializer, request)
        return self._done(
            services.welcome_visit_record(
                appointment=self.get_object(), note=d["note"], actor=request.user
            )
        )
