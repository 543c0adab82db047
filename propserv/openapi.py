"""OpenAPI post-processing: the references every app's API shares are documented once.

A client must find the code or id a field takes (tests/core/test_openapi_fields.py). `estate`,
`unit`, `building` and `renovation` mean the same thing in every request body and filter of the
API, so their descriptions name the list endpoint here, by the field's type (a code is a string,
an id an integer); every other reference carries its own help_text in its serializer or filter.
"""

from __future__ import annotations

import re

SHARED = {
    ("estate", "string"): "An estate's `code`: GET /api/v1/estates/.",
    ("estate", "integer"): "An estate's `id`: GET /api/v1/estates/.",
    ("unit", "string"): "A unit's `code` in the estate (e.g. 3-2-1502): GET /api/v1/units/.",
    ("unit", "integer"): "A unit's `id`: GET /api/v1/units/.",
    ("building", "string"): "A building's `code` in the estate: GET /api/v1/buildings/.",
    ("building", "integer"): "A building's `id`: GET /api/v1/buildings/.",
    ("renovation", "integer"): "A renovation's `id`: GET /api/v1/renovations/.",
}
ENDPOINT = re.compile(r"/api/v1/[\w/{}-]+")


def _describe(name: str, schema: dict, holder: dict) -> None:
    kind = schema.get("type")
    if kind == "array":
        kind = schema.get("items", {}).get("type")
    kind = {"number": "integer", None: "string"}.get(kind, kind)
    text = SHARED.get((name, kind))
    description = holder.get("description") or ""
    if text and not ENDPOINT.search(description):
        holder["description"] = f"{description} {text}".strip()


def describe_shared_references(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    for component in result.get("components", {}).get("schemas", {}).values():
        for name, prop in component.get("properties", {}).items():
            if not prop.get("readOnly"):
                _describe(name, prop, prop)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _describe(parameter["name"], parameter.get("schema", {}), parameter)
    return result


# --- the error answers every operation can give (propserv.rest's one body shape) -------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error body: a code for programs, a message for people, field errors.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
ERRORS = {
    "400": "Bad input: a parameter or a field is not valid (see `error.fields`).",
    "401": "No valid token or session.",
    "403": "Your role may not do this.",
    "404": "No such record among the estates you work for (or a stale page cursor).",
    "503": "The database is not answering (a restart): retry after `Retry-After` seconds.",
}
WRITE_ERRORS = {
    "409": "The record's current state does not allow this (or an Idempotency-Key reused).",
    "413": "The request body is larger than the server accepts.",
}
THROTTLED = {"429": "Too many attempts: wait and try again."}


def document_errors(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: every operation documents the errors the
    shared exception handler answers with, so a client (and the fuzzing test) knows them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(ERRORS)
            if method in {"post", "put", "patch", "delete"}:
                errors |= WRITE_ERRORS
            if path.endswith("/auth/token/"):
                errors |= THROTTLED
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": body}
                )
    return result
