"""Middleware and hooks that guard every request before a view sees it.

`BodySizeLimitMiddleware` refuses a body over the limit from its Content-Length alone, before
anything (CSRF's check of a form post, a view, DRF's parsers) reads and spools it to disk.
`lockout_response` is what django-axes answers while a username or an address is locked out.
See docs/deploy.md, "Security settings".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The resident form takes three 5 MB photos and some text: 16 MB is the most an anonymous
# caller may send. Staff upload renovation drawings (10 MB each), so a signed-in user (a session,
# or an API call that names a token: DRF refuses a bad token before it parses the body) may send
# up to MAX_REQUEST_BODY_BYTES.
MAX_ANONYMOUS_BODY_BYTES = 16 * 1024 * 1024
MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024


def _error(request, status: int, code: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": code, "message": message, "fields": {}}}, status=status
        )
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class BodySizeLimitMiddleware:
    """413 for a body over the limit, judged by Content-Length before the body is read.
    Placed after AuthenticationMiddleware (to tell staff from anonymous callers) and, like every
    middleware's __call__, before CsrfViewMiddleware.process_view, which reads a form post."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _error(request, 400, "invalid", _("The Content-Length header is not a number."))
        anonymous_limit = getattr(settings, "MAX_ANONYMOUS_BODY_BYTES", MAX_ANONYMOUS_BODY_BYTES)
        limit = getattr(settings, "MAX_REQUEST_BODY_BYTES", MAX_REQUEST_BODY_BYTES)
        if length > anonymous_limit:
            signed_in = "HTTP_AUTHORIZATION" in request.META or request.user.is_authenticated
            if length > limit or not signed_in:
                return _error(
                    request,
                    413,
                    "too_large",
                    _("The request is too large (at most %(mb)d MB).")
                    % {"mb": (limit if signed_in else anonymous_limit) // (1024 * 1024)},
                )
        return self.get_response(request)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer while the username or the address is locked out: the API's error body
    (429) under /api/, else the login page with the reason."""
    message = _(
        "Too many failed logins. Logging in is blocked for %(minutes)d minutes; "
        "the customer-service supervisor can unblock it sooner."
    ) % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "locked_out", "message": message, "fields": {}}}, status=429
        )
    form = AuthenticationForm(request)
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
        status=429,
    )
