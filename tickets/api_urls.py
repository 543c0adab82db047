"""API routes of tickets, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from tickets.api import RepairViewSet

router = SimpleRouter()
router.register("repairs", RepairViewSet, basename="repairs")
urlpatterns = [*router.urls]
