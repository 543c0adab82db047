"""References served only by the bench's own gunicorn (bench.bare_settings):

- figure 1: a bare DRF create of a Repair row — token auth, a ModelSerializer validating the
  foreign keys, one INSERT, the response — without the service (no event, no deadlines, no
  notifications);
- figure 2: a bare DRF list of repairs — token auth, the same filters (django-filter) and cursor
  pagination, the user's estates only, a ModelSerializer of the repair's own fields with the codes
  of its estate, unit, category and technician (select_related) — without the deadlines.
"""

from django.urls import path
from django.utils import timezone
from rest_framework import generics, serializers

from propserv.models import estate_ids_of
from propserv.rest import DefaultCursorPagination
from propserv.urls import urlpatterns as app_urlpatterns
from tickets.api import RepairFilter
from tickets.models import Repair


class BareRepairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Repair
        fields = [
            "id",
            "estate",
            "unit",
            "category",
            "description",
            "reporter_name",
            "reporter_phone",
            "channel",
            "status",
            "received_at",
        ]
        read_only_fields = ["status", "received_at"]


class BareRepairCreate(generics.CreateAPIView):
    serializer_class = BareRepairSerializer
    queryset = Repair.objects.all()

    def perform_create(self, serializer):
        serializer.save(received_at=timezone.now())


class BareRepairListSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    technician = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Repair
        exclude = ["reporter", "received_by", "created_at"]


class BareRepairList(generics.ListAPIView):
    serializer_class = BareRepairListSerializer
    filterset_class = RepairFilter
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return Repair.objects.select_related("estate", "unit", "category", "technician").filter(
            estate__in=estate_ids_of(self.request.user)
        )


urlpatterns = [
    path("bench/bare/repairs/", BareRepairCreate.as_view()),
    path("bench/bare/repairs/list/", BareRepairList.as_view()),
    *app_urlpatterns,
]
