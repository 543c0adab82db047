"""/api/v1/charges/, /api/v1/payments/ and /api/v1/accounts/: scoped by estate (another estate's
record is a 404), writes through the same services as the pages; refusals propagate to the
shared exception handler (propserv.rest)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from fees import rules, selectors, services
from fees.models import Charge, ChargeItem, LedgerEntry, Payment
from fees.serializers import (
    AccountSerializer,
    ChargeSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    ReverseSerializer,
)
from propserv.models import Unit
from propserv.rest import EstateScopedViewSetMixin
from propserv.roles import FEE_VIEWERS, has_role


class FeePermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_role(request.user, FEE_VIEWERS)


class ChargeFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")
    unit = django_filters.NumberFilter(field_name="unit_id")
    item = django_filters.ModelChoiceFilter(
        queryset=ChargeItem.objects.all(),
        help_text="a charge item's `id`, as `item` on GET /api/v1/charges/",
    )
    open = django_filters.BooleanFilter(method="only_open")

    class Meta:
        model = Charge
        fields = ["estate", "unit", "period", "item", "open"]

    def only_open(self, queryset, name, value):
        return queryset.filter(pk__in=Charge.objects.open().values("pk")) if value else queryset


class ChargeViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Charge.objects.select_related("estate", "unit", "item")
    serializer_class = ChargeSerializer
    filterset_class = ChargeFilter
    permission_classes = [IsAuthenticated, FeePermission]


class PaymentViewSet(
    EstateScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = Payment.objects.select_related("estate", "unit").prefetch_related("allocations")
    serializer_class = PaymentSerializer
    filterset_fields = ["unit", "method"]
    permission_classes = [IsAuthenticated, FeePermission]

    @extend_schema(
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, 200: PaymentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def create(self, request, *args, **kwargs):
        ser = PaymentCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        unit = Unit.objects.select_related("estate").filter(pk=data["unit"]).first()
        if unit is None:
            raise NotFound
        key = (request.headers.get("Idempotency-Key") or "").strip()[:100] or None
        payment = services.payment_post(
            unit=unit,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            payer_name=data["payer_name"],
            picked=data["charges"],
            keep_credit=data["keep_credit"],
            actor=request.user,
            idempotency_key=key,
            request_hash=ser.digest() if key else "",
        )
        body = PaymentSerializer(payment, context={"request": request}).data
        # Decided by the service under the account lock: of two requests with one key, exactly
        # one created the payment (201); the other gets the same body back (200).
        replayed = getattr(payment, "replayed", False)
        return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)

    @extend_schema(request=ReverseSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        ser = ReverseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        payment = services.payment_reverse(
            payment=payment, actor=request.user, reason=ser.validated_data["reason"]
        )
        return Response(PaymentSerializer(payment, context={"request": request}).data)


def _balance():
    total = (
        LedgerEntry.objects.filter(unit=OuterRef("pk"))
        .order_by()
        .values("unit")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Subquery(total, output_field=money), Value(Decimal("0.00"), output_field=money))


class AccountViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """One account per unit: its balance (the sum of its ledger) and its ageing."""

    queryset = Unit.objects.select_related("estate").annotate(balance=_balance()).order_by("pk")
    serializer_class = AccountSerializer
    filterset_fields = ["building"]
    permission_classes = [IsAuthenticated, FeePermission]

    def _with_ageing(self, units):
        rows = {
            r["unit_id"]: r
            for r in selectors.ageing({u.estate_id for u in units}, unit_ids=[u.pk for u in units])
        }
        for unit in units:
            row = rows.get(unit.pk, {})
            unit.ageing = {key: row.get(key, Decimal("0.00")) for key, *_ in rules.BUCKETS}
            unit.months_behind = row.get("months", 0)
        return units

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = AccountSerializer(self._with_ageing(list(page)), many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        unit = self._with_ageing([self.get_object()])[0]
        return Response(AccountSerializer(unit).data)
