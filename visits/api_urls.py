"""API routes of visits, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from visits.api import HandoverViewSet, NoticeViewSet, VisitViewSet

router = SimpleRouter()
router.register("visits", VisitViewSet, basename="visits")
router.register("handovers", HandoverViewSet, basename="handovers")
router.register("notices", NoticeViewSet, basename="notices")
urlpatterns = [*router.urls]
