"""API routes of inspections, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from inspections.api import (
    PassViewSet,
    PatrolViewSet,
    RectificationViewSet,
    ReleaseViewSet,
    RenovationViewSet,
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
urlpatterns = [*router.urls]
