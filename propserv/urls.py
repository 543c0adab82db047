from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from propserv import api, views

router = DefaultRouter()
router.register("estates", api.EstateViewSet, basename="estates")
router.register("buildings", api.BuildingViewSet, basename="buildings")
router.register("units", api.UnitViewSet, basename="units")
router.register("residents", api.ResidentViewSet, basename="residents")
router.register("staff", api.StaffViewSet, basename="staff")
router.register("notifications", api.NotificationViewSet, basename="notifications")

api_patterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("calendar/", api.CalendarView.as_view(), name="calendar"),
    path("me/", api.MeView.as_view(), name="me"),
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
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
