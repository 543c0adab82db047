"""API plumbing shared by every app: pagination, error bodies, estate scoping.

`exception_handler` is the one place the API maps a service's refusal: `ValidationError` → 400,
`InvalidTransition` → 409, `NotAllowed` → 403 (404 when it conceals the record), every body
{"error": {"code", "message", "fields"}}. Views just call services and let refusals propagate.
`server_error` (the URL conf's handler500) answers an unhandled exception under /api/ in the same
shape; `FilterBackend` refuses query filters PostgreSQL cannot hold with a 400 before any SQL.
"""

from __future__ import annotations

import datetime as dt
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import server_error as page_server_error
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from propserv.errors import InvalidTransition, NotAllowed


class DefaultCursorPagination(CursorPagination):
    """Cursor pagination: no COUNT(*), no OFFSET, stable under inserts."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class Conflict(exceptions.APIException):
    """The record is not in a state that allows this change (an invalid transition)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("This change is not allowed in the record's current state.")


def exception_handler(exc, context):
    """Every error body: {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, InvalidTransition):
        exc = Conflict(detail=str(exc.message), code=exc.code)
    elif isinstance(exc, NotAllowed):
        exc = (
            exceptions.NotFound()
            if exc.conceal
            else exceptions.PermissionDenied(detail=str(exc.message), code=exc.code)
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        message = str(exc.default_detail)
        if isinstance(detail, dict):
            fields = {
                k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
            }
            if list(fields) == ["non_field_errors"]:
                message = fields["non_field_errors"][0]
        elif isinstance(detail, list):
            message = str(detail[0]) if detail else message
    else:
        message = (
            str(detail.get("detail", exc.default_detail))
            if isinstance(detail, dict)
            else str(detail)
        )
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


# PostgreSQL keeps a time-zone displacement below 16 hours; Python accepts up to 24, so
# "…T00:00+16:00" would pass the form and fail in the database ("time zone displacement out of
# range") as a 500.
MAX_UTC_OFFSET = dt.timedelta(hours=16)


def _datetimes(value):
    """The datetimes in a cleaned filter value (a datetime, or a range/list of them)."""
    if isinstance(value, dt.datetime):
        yield value
    elif isinstance(value, slice):
        yield from _datetimes(value.start)
        yield from _datetimes(value.stop)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _datetimes(item)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend for every FilterSet of the API, refusing with a 400 what the form
    accepts but PostgreSQL cannot hold (an offset of 16 hours or more)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if filterset.is_valid():
            for name, value in list(filterset.form.cleaned_data.items()):
                if any(
                    moment.utcoffset() is not None and abs(moment.utcoffset()) >= MAX_UTC_OFFSET
                    for moment in _datetimes(value)
                ):
                    filterset.form.add_error(
                        name,
                        DjangoValidationError(
                            _("The time zone offset must be less than 16 hours."),
                            code="offset_out_of_range",
                        ),
                    )
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        return filterset.qs


def server_error(request, *args, **kwargs):
    """handler500: an unhandled exception under /api/ answers JSON in the one error shape (a
    client parses every error the same way); pages keep the HTML 500 template."""
    if request.path_info.startswith("/api/"):
        # Django calls this while handling the exception: a database that went away (a
        # restart, a failover) is a 503 a client may retry, not a fault of ours or theirs.
        if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
            response = JsonResponse(
                {
                    "error": {
                        "code": "unavailable",
                        "message": str(_("The database is not answering. Try again in a moment.")),
                        "fields": {},
                    }
                },
                status=503,
            )
            response["Retry-After"] = "5"
            return response
        return JsonResponse(
            {
                "error": {
                    "code": "server_error",
                    "message": str(_("Something went wrong on our side. Try again in a moment.")),
                    "fields": {},
                }
            },
            status=500,
        )
    return page_server_error(request, *args, **kwargs)


class EstateScopedViewSetMixin:
    """Every queryset limited to the estates the user works for: another estate's row is a 404."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A write to another estate's record is a 404 before its body is even validated: the
        # answer must not depend on anything but "not yours" (tests/core/test_access_matrix.py).
        if getattr(self, "detail", False) and request.method not in SAFE_METHODS:
            self.get_object()


def error_response(
    message: str, code: str = "invalid", http_status: int = 400, fields=None
) -> Response:
    return Response(
        {"error": {"code": code, "message": message, "fields": fields or {}}}, status=http_status
    )
