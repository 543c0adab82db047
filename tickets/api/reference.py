"""/api/v1/repair-categories/ and /api/v1/price-list/: read-only, limited to the estates the user
works for (another estate's row is a 404), filterable by estate code. A repair's `category` is a
code from the first; a quote's lines are ids from the second."""

from __future__ import annotations

import django_filters
from rest_framework import viewsets

from propserv.rest import EstateScopedViewSetMixin
from tickets.models import PriceItem, RepairCategory
from tickets.serializers import reference as s


class RepairCategoryFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")
    active = django_filters.BooleanFilter()

    class Meta:
        model = RepairCategory
        fields = []


class PriceItemFilter(django_filters.FilterSet):
    estate = django_filters.CharFilter(field_name="estate__code")
    active = django_filters.BooleanFilter()

    class Meta:
        model = PriceItem
        fields = []


class RepairCategoryViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The repair categories of your estates: `code` is what POST /api/v1/repairs/ takes."""

    queryset = RepairCategory.objects.select_related("estate").order_by(
        "estate__code", "sort_order", "code"
    )
    serializer_class = s.RepairCategorySerializer
    filterset_class = RepairCategoryFilter
    pagination_class = None


class PriceItemViewSet(EstateScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The published price list of your estates: `id` is what a quote's lines take."""

    queryset = PriceItem.objects.select_related("estate").order_by("estate__code", "code")
    serializer_class = s.PriceItemSerializer
    filterset_class = PriceItemFilter
    pagination_class = None
