"""API routes of visits, mounted under /api/v1/ by propserv/urls.py."""

from rest_framework.routers import SimpleRouter

from visits.api import HandoverViewSet, NoticeViewSet, VisitViewSet
from visits.api import relay as relay_api
from visits.api import rentals as front_desk_api

router = SimpleRouter()
router.register("visits", VisitViewSet, basename="visits")
router.register("handovers", HandoverViewSet, basename="handovers")
router.register("notices", NoticeViewSet, basename="notices")
# Rentals, move-out, the gate and the lobby
for prefix, viewset in [
    ("rental-listings", front_desk_api.ListingViewSet),
    ("rental-seekers", front_desk_api.SeekerViewSet),
    ("rental-matches", front_desk_api.MatchViewSet),
    ("leases", front_desk_api.LeaseViewSet),
    ("move-outs", front_desk_api.MoveOutViewSet),
    ("gate-visitors", front_desk_api.VisitorViewSet),
    ("office-tenants", front_desk_api.OfficeTenantViewSet),
    ("parcels", front_desk_api.ParcelViewSet),
]:
    router.register(prefix, viewset, basename=prefix)
# Information relay, common-area patrols, title certificates
router.register("relay-items", relay_api.RelayItemViewSet, basename="relay-items")
router.register("common-patrols", relay_api.CommonPatrolViewSet, basename="common-patrols")
router.register(
    "title-certificates", relay_api.TitleCertificateViewSet, basename="title-certificates"
)
urlpatterns = [*router.urls]
