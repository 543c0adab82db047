"""`/api/v1/dashboard/`: the dashboard's figures as JSON for the estates the caller covers (one
estate with ?estate=<id>), for ?period=today|week|month|custom (&from=&to=)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from propserv.dashboard import cards as dash
from propserv.dashboard.period import choose
from propserv.rest import error_response


class KpiSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="In the caller's language.")
    value = serializers.FloatField(allow_null=True, help_text="null: no data in the period.")
    previous = serializers.FloatField(allow_null=True, help_text="The period just before.")
    target = serializers.FloatField(allow_null=True, help_text="The estate's target, if any.")
    better = serializers.ChoiceField(["higher", "lower"])
    unit = serializers.CharField(help_text='"%", "‰", "min", "¥" or "" (a count).')
    misses_target = serializers.BooleanField()
    url = serializers.CharField(help_text="The list of the records behind the figure.")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()


class TableSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(), help_text="Keyed by column.")


class SeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))


class MarkSerializer(serializers.Serializer):
    x = serializers.FloatField()
    label = serializers.CharField()


class ChartSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(["line", "bar", "histogram"])
    unit = serializers.CharField()
    labels = serializers.ListField(child=serializers.CharField())
    series = SeriesSerializer(many=True)
    marks = MarkSerializer(many=True)


class CardSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    kpis = KpiSerializer(many=True)
    tables = TableSerializer(many=True)
    charts = ChartSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    previous_start = serializers.DateTimeField()
    previous_end = serializers.DateTimeField()


class DashboardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    estates = serializers.ListField(child=serializers.IntegerField())
    cards = CardSerializer(many=True)


class DashboardView(APIView):
    """The managers' dashboard figures (supervisor, project manager, quality, GM)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=["today", "week", "month", "custom"]),
            OpenApiParameter("from", str, description="custom: first day, YYYY-MM-DD"),
            OpenApiParameter("to", str, description="custom: last day (inclusive)"),
            OpenApiParameter("estate", int, description="one estate; default all of the caller's"),
        ],
        responses=DashboardSerializer,
    )
    def get(self, request):
        if not dash.may_view(request.user):
            return error_response(
                _("Only managers may read the dashboard."), "permission_denied", 403
            )
        chosen = choose(request.query_params)
        if chosen.error:
            return error_response(chosen.error, fields={"from": [chosen.error]})
        estate_ids, _estate, _all = dash.scope(request.user, request.query_params.get("estate"))
        period = chosen.period
        body = {
            "period": {
                "key": chosen.key,
                "first_day": chosen.first_day.isoformat(),
                "last_day": chosen.last_day.isoformat(),
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "previous_start": period.previous_start.isoformat(),
                "previous_end": period.previous_end.isoformat(),
            },
            "estates": estate_ids,
            "cards": [dash.card_data(c) for c in dash.cards_for(request.user, estate_ids, period)],
        }
        return Response(body)
