from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from propserv import api, views
from propserv.dashboard import api as dashboard_api
from propserv.dashboard import report as dashboard_report
from propserv.dashboard import views as dashboard
from propserv.lockouts import LockoutsPage
from propserv.tokens import ObtainTokenView

router = DefaultRouter()
router.register("estates", api.EstateViewSet, basename="estates")
router.register("buildings", api.BuildingViewSet, basename="buildings")
router.register("units", api.UnitViewSet, basename="units")
router.register("residents", api.ResidentViewSet, basename="residents")
router.register("staff", api.StaffViewSet, basename="staff")
router.register("notifications", api.NotificationViewSet, basename="notifications")

api_patterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("calendar/", api.CalendarView.as_view(), name="calendar"),
    path("me/", api.MeView.as_view(), name="me"),
    path("dashboard/", dashboard_api.DashboardView.as_view(), name="dashboard"),
    *router.urls,
    # Each module's API routes (repairs, complaints, visits, keys, fees, inspections).
    path("", include("tickets.api_urls")),
    path("", include("visits.api_urls")),
    path("", include("keys.api_urls")),
    path("", include("fees.api_urls")),
    path("", include("inspections.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/cards/", dashboard.dashboard_cards, name="dashboard-cards"),
    path("dashboard/export/", dashboard.dashboard_export, name="dashboard-export"),
    path(
        "dashboard/report/<int:estate_id>/<str:month>/",
        dashboard_report.monthly_report,
        name="dashboard-report",
    ),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/lockouts/", LockoutsPage.as_view(), name="lockouts"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("calendar/", views.CalendarPage.as_view(), name="calendar"),
    path("import/", views.ImportPage.as_view(), name="import"),
    path("tickets/", include("tickets.urls")),
    path("", include("visits.urls")),
    path("keys/", include("keys.urls")),
    path("fees/", include("fees.urls")),
    path("inspections/", include("inspections.urls")),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # The split view serves Swagger's start-up script as a file: no inline script (CSP).
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

# An unhandled exception under /api/ answers JSON in the one error shape; pages keep 500.html.
handler500 = "propserv.rest.server_error"
