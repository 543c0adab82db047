"""The API's login: /api/v1/auth/token/ (see propserv.authentication for the rules)."""

from __future__ import annotations

from rest_framework import authentication, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from propserv.authentication import TokenAuthentication, token_expired


class ObtainTokenView(ObtainAuthToken):
    """POST username + password → {"token"} (a fresh one once the old has expired); DELETE with
    the token → the token is revoked (an API logout). Throttled per address, and refused while
    django-axes locks the username or the address out (429)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth-token"

    def get_authenticators(self):
        # Only DELETE needs the caller; a login must not be refused for a stale token the client
        # still sends. (Django's View.setup has set self.request before DRF asks; the schema
        # generator asks without one.)
        if getattr(self.request, "method", None) == "DELETE":
            return [TokenAuthentication(), authentication.SessionAuthentication()]
        return []

    def get_permissions(self):
        delete = getattr(self.request, "method", None) == "DELETE"
        return [IsAuthenticated()] if delete else [AllowAny()]

    def get_serializer_context(self):
        # Django's request, not DRF's wrapper: django-axes marks a locked-out request on it, and
        # its middleware answers that request with the lockout response.
        return {**super().get_serializer_context(), "request": self.request._request}

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token.created):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})

    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
