"""The reference for figure 1: a bare DRF create of a Repair row — token auth, a ModelSerializer
validating the foreign keys, one INSERT, the response — without the service (no event, no
deadlines, no notifications). Served only by the bench's own gunicorn (bench.bare_settings)."""

from django.urls import path
from django.utils import timezone
from rest_framework import generics, serializers

from propserv.urls import urlpatterns as app_urlpatterns
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


urlpatterns = [
    path("bench/bare/repairs/", BareRepairCreate.as_view()),
    *app_urlpatterns,
]
