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
