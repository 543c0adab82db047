"""API plumbing shared by every app: pagination, error bodies, estate scoping.

`exception_handler` is the one place the API maps a service's refusal: `ValidationError` → 400,
`InvalidTransition` → 409, `NotAllowed` → 403 (404 when it conceals the record), every body
{"error": {"code", "message", "fields"}}. Views just call services and let refusals propagate.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
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


class EstateScopedViewSetMixin:
    """Every queryset limited to the estates the user works for: another estate's row is a 404."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


def error_response(
    message: str, code: str = "invalid", http_status: int = 400, fields=None
) -> Response:
    return Response(
        {"error": {"code": code, "message": message, "fields": fields or {}}}, status=http_status
    )
