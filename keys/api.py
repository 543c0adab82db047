"""/api/v1/keys/, /api/v1/key-loans/ and /api/v1/contractors/ (with their responsible people,
whose ids a loan's `borrower_person` takes): scoped reads, state changes as POST actions calling
the same services as the screens. Refusals propagate to the shared exception handler
(propserv.rest): an invalid transition is a 409, a role that may not a 403."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from keys import selectors, services
from keys.models import Contractor, ContractorPerson, Key, KeyLoan
from keys.serializers import (
    ContractorSerializer,
    InspectSerializer,
    KeyCreateSerializer,
    KeyEventSerializer,
    KeyLoanSerializer,
    KeySerializer,
    LendSerializer,
    LoanCreateSerializer,
    MoveSerializer,
    ReissueSerializer,
    ReturnSerializer,
)
from propserv.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from propserv.rest import EstateScopedViewSetMixin
from propserv.roles import KEY_LOAN_APPROVERS, KEY_VIEWERS, has_role


class KeyCabinetPermission(BasePermission):
    """Only the roles that work with the cabinet see it through the API too."""

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, KEY_VIEWERS)


def _lend(request, key, data):
    """People are looked up within the key's estate only: another estate's id gets the same
    answer as an unknown one."""
    staff = person = None
    if data["borrower_staff"]:
        staff = selectors.staff_of_estate(key.estate, data["borrower_staff"])
        if staff is None:
            raise DjangoValidationError({"borrower_staff": _("No such staff member.")})
    if data["borrower_person"]:
        person = (
            ContractorPerson.objects.for_user(request.user)
            .filter(pk=data["borrower_person"], contractor__estate=key.estate)
            .first()
        )
        if person is None:
            raise DjangoValidationError({"borrower_person": _("No such responsible person.")})
    approver = (
        request.user if data["approve"] and has_role(request.user, KEY_LOAN_APPROVERS) else None
    )
    return services.loan_lend(
        key=key,
        borrower_staff=staff,
        borrower_person=person,
        phone=data["phone"],
        count=data["count"],
        reason=data["reason"],
        related_ref=data["related_ref"],
        due_at=data["due_at"],
        approved_by=approver,
        approval_note=data["approval_note"],
        actor=request.user,
    )


class KeyFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")
    unit = django_filters.CharFilter(field_name="unit__code")
    q = django_filters.CharFilter(method="search", label="unit, tag, area, slot or name")

    class Meta:
        model = Key
        fields = ["estate", "unit", "state", "kind", "tag_code", "q"]

    def search(self, queryset, name, value):
        ids = selectors.cabinet(self.request.user, value).values("pk")
        return queryset.filter(pk__in=ids)


class KeyViewSet(EstateScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Key.objects.select_related("estate", "unit", "owner").prefetch_related(
        selectors.open_loans_prefetch()
    )
    serializer_class = KeySerializer
    filterset_class = KeyFilter
    permission_classes = [IsAuthenticated, KeyCabinetPermission]

    @extend_schema(request=KeyCreateSerializer, responses=KeySerializer)
    def create(self, request, *args, **kwargs):
        ser = KeyCreateSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        key = services.key_register(
            estate=d["estate"],
            kind=d["kind"],
            unit=d["unit_obj"],
            area=d["area"],
            count=d["count"],
            slot=d["slot"],
            tag_code=d["tag_code"],
            description=d["description"],
            actor=request.user,
        )
        return Response(
            KeySerializer(key, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=LendSerializer, responses={201: KeyLoanSerializer})
    @action(detail=True, methods=["post"])
    def lend(self, request, pk=None):
        key = self.get_object()
        ser = LendSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        loan = _lend(request, key, ser.validated_data)
        return Response(
            KeyLoanSerializer(loan, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=MoveSerializer, responses=KeySerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        key = self.get_object()
        ser = MoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        key = services.key_move(
            key=key,
            slot=ser.validated_data["slot"],
            reason=ser.validated_data["reason"],
            actor=request.user,
        )
        return Response(KeySerializer(key, context={"request": request}).data)

    @extend_schema(responses=KeyEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        key = self.get_object()
        events = key.events.select_related("actor").order_by("at", "pk")
        return Response(KeyEventSerializer(events, many=True).data)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        """The key's state re-derived from its events, and any disagreement with the record."""
        key = self.get_object()
        diffs = selectors.key_ledger_check(key)
        return Response({"consistent": not diffs, "differences": diffs})


class KeyLoanFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")
    open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    # Plain ids, not model choices: a choice field validates the id against an unscoped table,
    # so another estate's id (200, empty) would answer differently from an unknown one (400).
    key = django_filters.NumberFilter(field_name="key_id", help_text="GET /api/v1/keys/")
    borrower_staff = django_filters.NumberFilter(
        field_name="borrower_staff_id", help_text="a staff `id`: GET /api/v1/staff/"
    )
    borrower_person = django_filters.NumberFilter(
        field_name="borrower_person_id",
        help_text="a responsible person's `people[].id`: GET /api/v1/contractors/",
    )

    class Meta:
        model = KeyLoan
        fields = [
            "estate",
            "key",
            "status",
            "borrower_kind",
            "borrower_staff",
            "borrower_person",
            "open",
            "overdue",
        ]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        overdue = queryset.overdue(now)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class KeyLoanViewSet(
    EstateScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = KeyLoan.objects.select_related("key", "key__unit", "estate")
    serializer_class = KeyLoanSerializer
    filterset_class = KeyLoanFilter
    permission_classes = [IsAuthenticated, KeyCabinetPermission]

    @extend_schema(
        request=LoanCreateSerializer,
        responses={201: KeyLoanSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent("key_loans.create")
    def create(self, request, *args, **kwargs):
        ser = LoanCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        key = get_object_or_404(Key.objects.for_user(request.user), pk=ser.validated_data["key"])
        loan = _lend(request, key, ser.validated_data)
        return Response(
            KeyLoanSerializer(loan, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def _done(self, request, loan):
        loan = KeyLoan.objects.select_related("key", "key__unit").get(pk=loan.pk)
        return Response(KeyLoanSerializer(loan, context={"request": request}).data)

    @extend_schema(request=ReturnSerializer, responses=KeyLoanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_key(self, request, pk=None):
        loan = self.get_object()
        ser = ReturnSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        # Already back: loan_return is idempotent, so a repeated return answers the loan as it is.
        services.loan_return(loan=loan, count=ser.validated_data["count"], actor=request.user)
        return self._done(request, loan)

    @extend_schema(request=InspectSerializer, responses=KeyLoanSerializer)
    @action(detail=True, methods=["post"])
    def inspect(self, request, pk=None):
        loan = self.get_object()
        ser = InspectSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.loan_inspect(loan=loan, actor=request.user, **ser.validated_data)
        return self._done(request, loan)

    @extend_schema(request=ReissueSerializer, responses=KeyLoanSerializer)
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        loan = self.get_object()
        ser = ReissueSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.loan_reissue(loan=loan, due_at=ser.validated_data["due_at"], actor=request.user)
        return self._done(request, loan)


class ContractorFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")

    class Meta:
        model = Contractor
        fields = ["estate", "active"]


class ContractorViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The contractors of the user's estates and their registered responsible people: the
    `people[].id` a key loan's `borrower_person` takes. Phones are masked except for the desk."""

    queryset = Contractor.objects.select_related("estate", "liaison").prefetch_related(
        Prefetch("people", queryset=ContractorPerson.objects.order_by("name", "pk"))
    )
    serializer_class = ContractorSerializer
    filterset_class = ContractorFilter
    permission_classes = [IsAuthenticated, KeyCabinetPermission]
