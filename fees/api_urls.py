"""API routes of fees, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from fees.api import AccountViewSet, ChargeViewSet, PaymentViewSet

router = SimpleRouter()
router.register("charges", ChargeViewSet, basename="fee-charges")
router.register("payments", PaymentViewSet, basename="fee-payments")
router.register("accounts", AccountViewSet, basename="fee-accounts")
urlpatterns = [*router.urls]
