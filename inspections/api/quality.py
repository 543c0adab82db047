"""/api/v1/quality/ (templates, checks, defects, non-conformities, weather warnings): scoped
reads for the quality pages' readers, writes as POSTs calling the same services as the screens.
Another estate's record is a 404; refusals propagate to the shared exception handler."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from inspections.models import Defect, NonConformity, QualityCheck, QualityTemplate, WeatherWarning
from inspections.serializers.quality import (
    DefectFixSerializer,
    DefectTransferSerializer,
    DefectVerifySerializer,
    NonConformityCloseSerializer,
    NonConformitySerializer,
    QualityCheckInputSerializer,
    QualityCheckSerializer,
    QualityDefectSerializer,
    QualityTemplateInputSerializer,
    QualityTemplateSerializer,
    WeatherWarningInputSerializer,
    WeatherWarningSerializer,
)
from inspections.services import quality as services
from inspections.services import quality_defects, quality_night
from inspections.services.quality import Finding
from propserv.models import Estate
from propserv.rest import EstateScopedViewSetMixin
from propserv.roles import QUALITY_VIEWERS, has_role


class QualityPermission(BasePermission):
    """Reads for the quality pages' readers; writes go to the services, which check the role
    of each (a technician records their own daily self-check)."""

    def has_permission(self, request, view) -> bool:
        return request.method not in SAFE_METHODS or has_role(request.user, QUALITY_VIEWERS)


def _valid(serializer_class, request):
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _estate(request, code: str):
    estate = Estate.objects.for_user(request.user).filter(code=code).first()
    if estate is None:
        raise Http404
    return estate


class Base(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, QualityPermission]


class QualityTemplateViewSet(Base):
    queryset = QualityTemplate.objects.select_related("estate")
    serializer_class = QualityTemplateSerializer
    filterset_fields = ["kind", "active"]

    @extend_schema(
        request=QualityTemplateInputSerializer, responses={201: QualityTemplateSerializer}
    )
    def create(self, request, *args, **kwargs):
        d = _valid(QualityTemplateInputSerializer, request)
        template = services.quality_template_save(
            estate=_estate(request, d["estate"]),
            kind=d["kind"],
            name=d["name"],
            items=[dict(i) for i in d["items"]],
            actor=request.user,
        )
        return Response(QualityTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class QualityCheckViewSet(Base):
    queryset = QualityCheck.objects.select_related("estate").prefetch_related(
        "nonconformities", "defects__fixes", "defects__transfer"
    )
    serializer_class = QualityCheckSerializer
    filterset_fields = ["kind"]

    @extend_schema(request=QualityCheckInputSerializer, responses={201: QualityCheckSerializer})
    def create(self, request, *args, **kwargs):
        d = _valid(QualityCheckInputSerializer, request)
        template = QualityTemplate.objects.for_user(request.user).filter(pk=d["template"]).first()
        if template is None:
            raise Http404
        check = services.quality_check_record(
            template=template,
            results=d["results"],
            findings=[Finding(**f) for f in d["findings"]],
            notes=d["notes"],
            post=d["post"],
            on_duty=d["on_duty"],
            actor=request.user,
        )
        check = self.get_queryset().get(pk=check.pk)
        return Response(QualityCheckSerializer(check).data, status=status.HTTP_201_CREATED)


class DefectViewSet(Base):
    queryset = Defect.objects.select_related("transfer").prefetch_related("fixes")
    serializer_class = QualityDefectSerializer
    filterset_fields = ["status", "specialty"]

    def _done(self, defect):
        return Response(QualityDefectSerializer(self.get_queryset().get(pk=defect.pk)).data)

    @extend_schema(request=DefectFixSerializer, responses=QualityDefectSerializer)
    @action(detail=True, methods=["post"])
    def fix(self, request, pk=None):
        d = _valid(DefectFixSerializer, request)
        return self._done(
            quality_defects.defect_fix(defect=self.get_object(), actor=request.user, **d)
        )

    @extend_schema(request=DefectTransferSerializer, responses=QualityDefectSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        d = _valid(DefectTransferSerializer, request)
        return self._done(
            quality_defects.defect_transfer(defect=self.get_object(), actor=request.user, **d)
        )

    @extend_schema(request=DefectVerifySerializer, responses=QualityDefectSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        d = _valid(DefectVerifySerializer, request)
        return self._done(
            quality_defects.defect_verify(defect=self.get_object(), actor=request.user, **d)
        )


class NonConformityViewSet(Base):
    queryset = NonConformity.objects.all()
    serializer_class = NonConformitySerializer
    filterset_fields = ["exempt", "specialty", "duty_failure"]

    @extend_schema(request=NonConformityCloseSerializer, responses=NonConformitySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        d = _valid(NonConformityCloseSerializer, request)
        nc = services.nonconformity_close(
            nonconformity=self.get_object(), closure=d["closure"], actor=request.user
        )
        return Response(NonConformitySerializer(nc).data)


class WeatherWarningViewSet(Base):
    queryset = WeatherWarning.objects.select_related("estate")
    serializer_class = WeatherWarningSerializer
    filterset_fields = ["kind"]

    @extend_schema(request=WeatherWarningInputSerializer, responses={201: WeatherWarningSerializer})
    def create(self, request, *args, **kwargs):
        d = _valid(WeatherWarningInputSerializer, request)
        warning = quality_night.weather_warning_record(
            estate=_estate(request, d.pop("estate")), actor=request.user, **d
        )
        return Response(WeatherWarningSerializer(warning).data, status=status.HTTP_201_CREATED)
