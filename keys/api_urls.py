"""API routes of keys, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
urlpatterns = [*router.urls]
