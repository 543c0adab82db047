"""API routes of tickets, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from tickets.api.callbacks import CallbackViewSet
from tickets.api.complaints import ComplaintViewSet
from tickets.api.reference import PriceItemViewSet, RepairCategoryViewSet
from tickets.api.repairs import RepairViewSet
from tickets.api.routine import KeyHouseholdViewSet, RoutineCallbackViewSet

router = SimpleRouter()
router.register("repairs", RepairViewSet, basename="repairs")
router.register("complaints", ComplaintViewSet, basename="complaints")
router.register("callbacks", CallbackViewSet, basename="callbacks")
router.register("repair-categories", RepairCategoryViewSet, basename="repair-categories")
router.register("price-list", PriceItemViewSet, basename="price-list")
router.register("routine-callbacks", RoutineCallbackViewSet, basename="routine-callbacks")
router.register("key-households", KeyHouseholdViewSet, basename="key-households")
urlpatterns = [*router.urls]
