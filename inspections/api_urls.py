"""API routes of inspections, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from inspections.api import (
    PassViewSet,
    PatrolViewSet,
    RectificationViewSet,
    ReleaseViewSet,
    RenovationViewSet,
)
from inspections.api.handover import AppointmentViewSet, ProblemViewSet
from inspections.api.quality import (
    DefectViewSet,
    NonConformityViewSet,
    QualityCheckViewSet,
    QualityTemplateViewSet,
    WeatherWarningViewSet,
)

router = SimpleRouter()
# The sub-collections first: "renovations/<pk>/" would otherwise take "patrols" for a pk.
router.register("renovations/patrols", PatrolViewSet, basename="renovation-patrols")
router.register("renovations/passes", PassViewSet, basename="renovation-passes")
router.register(
    "renovations/rectifications", RectificationViewSet, basename="renovation-rectifications"
)
router.register("renovations/releases", ReleaseViewSet, basename="renovation-releases")
router.register("renovations", RenovationViewSet, basename="renovations")
router.register("handover/problems", ProblemViewSet, basename="handover-problems")
router.register("handover/appointments", AppointmentViewSet, basename="handover-appointments")
urlpatterns = [*router.urls]

# Quality checks: their own router, appended (the handover routes above are another's).
quality = SimpleRouter()
quality.register("quality/templates", QualityTemplateViewSet, basename="quality-templates")
quality.register("quality/checks", QualityCheckViewSet, basename="quality-checks")
quality.register("quality/defects", DefectViewSet, basename="quality-defects")
quality.register(
    "quality/nonconformities", NonConformityViewSet, basename="quality-nonconformities"
)
quality.register("quality/warnings", WeatherWarningViewSet, basename="quality-warnings")
urlpatterns += [*quality.urls]
