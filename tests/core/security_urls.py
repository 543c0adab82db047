"""A URL conf for tests/core/test_security_api.py: the real one plus views that fail on purpose."""

from django.db import OperationalError
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from propserv.urls import handler500
from propserv.urls import urlpatterns as real_patterns


class Boom(Exception):
    """An error nobody handles."""


def page_boom(request):
    raise Boom("a page failed")


@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def api_boom(request):
    raise Boom("an API view failed")


@api_view(["GET"])
@permission_classes([AllowAny])
def api_database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def plain_api_boom(request):
    raise Boom("a plain view under /api/ failed")


urlpatterns = [
    path("api/v1/test-boom/", api_boom),
    path("api/v1/test-plain-boom/", plain_api_boom),
    path("api/v1/test-database-gone/", api_database_gone),
    path("test-boom/", page_boom),
    *real_patterns,
]

__all__ = ["handler500", "urlpatterns"]
