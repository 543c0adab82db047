"""API routes of keys, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from keys.api import ContractorViewSet, KeyLoanViewSet, KeyViewSet

router = SimpleRouter()
router.register("keys", KeyViewSet, basename="keys")
router.register("key-loans", KeyLoanViewSet, basename="key-loans")
router.register("contractors", ContractorViewSet, basename="contractors")
urlpatterns = [*router.urls]
