"""An API client can discover every code and id the API expects: each request-body field and
query parameter that takes a code or an id of another resource names where to find it — an enum
in the schema, or a description naming a list endpoint the schema documents."""

from __future__ import annotations

import re

import django_filters
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

# Fields that take another resource's code or id by name (besides `*_id`, related and choice
# fields): our serializers mostly take codes and usernames as plain strings.
REFERENCES = {
    "estate",
    "unit",
    "building",
    "category",
    "technician",
    "owner",
    "assigned_to",
    "second_caller",
    "resident",
    "responsible",
    "key",
    "borrower_staff",
    "borrower_person",
    "charges",
    "members",
    "recipients",
    "same_matter_as",
    "call",
    "item",
    "renovation",
    "complaint",
    "repair",
    "visit",
}
ENDPOINT = re.compile(r"/api/v1/[\w/{}-]*")


@pytest.fixture(scope="module")
def generated():
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    return generator, schema


def _resolve(schema: dict, prop: dict) -> dict:
    ref = prop.get("$ref")
    return schema["components"]["schemas"][ref.split("/")[-1]] if ref else prop


def _has_enum(schema: dict, prop: dict, depth: int = 0) -> bool:
    prop = _resolve(schema, prop)
    if "enum" in prop:
        return True
    if depth > 3:
        return False
    nested = [*prop.get("allOf", []), *prop.get("oneOf", []), *prop.get("anyOf", [])]
    if "items" in prop:
        nested.append(prop["items"])
    if isinstance(prop.get("additionalProperties"), dict):
        nested.append(prop["additionalProperties"])
    if prop.get("properties") and all(
        _has_enum(schema, p, depth + 1) for p in prop["properties"].values()
    ):
        return True  # a fixed set of codes, each with its own set of values
    return any(_has_enum(schema, p, depth + 1) for p in nested)


def _names_a_list(schema: dict, *holders: dict) -> bool:
    paths = set(schema["paths"])
    for holder in holders:
        for endpoint in ENDPOINT.findall(holder.get("description") or ""):
            if endpoint in paths:
                return True
    return False


def _kind(name: str, field) -> str | None:
    relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
    if isinstance(relation, serializers.RelatedField):
        return "related"
    child = getattr(field, "child", None)
    if isinstance(field, serializers.ChoiceField) or isinstance(child, serializers.ChoiceField):
        return "choices"
    if name.endswith(("_id", "_ids")) or name in REFERENCES:
        return "reference"
    return None


def _request_components(schema: dict) -> set[str]:
    names = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref")
                if ref:
                    names.add(ref.split("/")[-1])
    return names


def test_every_request_field_that_takes_a_code_or_id_says_where_to_find_it(generated):
    generator, schema = generated
    bodies = _request_components(schema)
    assert {"RepairCreate", "LoanCreate", "PaymentCreate", "Apply"} <= bodies
    checked, undocumented = 0, []
    for component in generator.registry._components.values():
        serializer = component.object
        if component.type != "schemas" or component.name not in bodies:
            continue
        if isinstance(serializer, type):
            serializer = serializer()
        if not isinstance(serializer, serializers.Serializer):
            continue
        properties = component.schema.get("properties", {})
        for name, field in serializer.fields.items():
            kind = None if field.read_only else _kind(name, field)
            if kind is None:
                continue
            checked += 1
            prop = properties.get(name, {})
            if not (_has_enum(schema, prop) or _names_a_list(schema, prop)):
                undocumented.append(f"{component.name}.{name} ({kind})")
    assert checked > 40
    assert undocumented == []


def test_every_query_parameter_that_takes_a_code_or_id_says_where_to_find_it(generated):
    generator, schema = generated
    generator._initialise_endpoints()
    checked, undocumented = 0, []
    for path, _regex, method, callback in generator.endpoints:
        operation = schema["paths"].get(path, {}).get(method.lower())
        if not operation:
            continue
        view = generator.create_view(callback, method)
        filterset = getattr(view, "filterset_class", None)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            found = filterset.base_filters.get(name) if filterset else None
            choice_filters = (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter)
            model_filters = (
                django_filters.ModelChoiceFilter,
                django_filters.ModelMultipleChoiceFilter,
            )
            if not (
                isinstance(found, choice_filters + model_filters)
                or name.endswith(("_id", "_ids"))
                or name in REFERENCES
            ):
                continue
            checked += 1
            parameter_schema = parameter.get("schema", {})
            if not (
                _has_enum(schema, parameter_schema)
                or _names_a_list(schema, parameter, parameter_schema)
            ):
                undocumented.append(f"{method} {path}?{name}")
    assert checked > 40
    assert undocumented == []


def test_the_shared_references_name_their_list(generated):
    """estate, unit, building: a code or an id, each pointing at its list endpoint."""
    _generator, schema = generated
    repair = schema["components"]["schemas"]["RepairCreate"]["properties"]
    assert "/api/v1/estates/" in repair["estate"]["description"]
    assert "/api/v1/units/" in repair["unit"]["description"]
    assert "`code`" in repair["unit"]["description"]
    payment = schema["components"]["schemas"]["PaymentCreate"]["properties"]
    assert "`id`" in payment["unit"]["description"]
