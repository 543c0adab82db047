"""API errors under attack: every DateTime filter refuses an offset PostgreSQL cannot hold with a
400, and an unhandled exception under /api/ is a JSON 500 in the one error shape (pages keep the
HTML 500 page). Real PostgreSQL, real URL conf."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_filters import rest_framework as filters

from propserv.rest import FilterBackend


def _walk(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _walk(entry, inner.lstrip(":"))
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback


def _filtersets():
    """(list URL, FilterSet class) of every API list that filters, from the real URL conf."""
    found = {}
    for name, callback in _walk(get_resolver()):
        view_class = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        if view_class is None or actions.get("get") != "list":
            continue
        view = view_class()
        view.action = "list"
        filterset_class = FilterBackend().get_filterset_class(view, view_class.queryset)
        if filterset_class is not None:
            found[reverse(name)] = filterset_class
    return found


def _datetime_params():
    """(list URL, query parameter) for every DateTime filter of every FilterSet."""
    params = []
    for url, filterset_class in _filtersets().items():
        for name, flt in filterset_class.base_filters.items():
            field_class = flt.field_class
            if issubclass(field_class, forms.DateTimeField):
                params.append((url, name))
            elif issubclass(field_class, forms.MultiValueField) and isinstance(
                flt, filters.DateTimeFromToRangeFilter
            ):
                params += [(url, f"{name}_after"), (url, f"{name}_before")]
    return params


PARAMS = _datetime_params()


def test_the_walk_finds_the_known_datetime_filters():
    assert ("/api/v1/repairs/", "received_after") in PARAMS
    assert ("/api/v1/complaints/", "received_before") in PARAMS
    assert ("/api/v1/callbacks/", "due_before") in PARAMS


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "param"), PARAMS, ids=[f"{u}?{p}" for u, p in PARAMS])
def test_datetime_filters_refuse_an_offset_postgresql_cannot_hold(api, url, param):
    for offset in ("+16:00", "-16:00", "+23:59"):
        response = api.get(url, {param: f"2026-01-01T00:00:00{offset}"})
        assert response.status_code == 400, (url, param, offset, response.content[:300])
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert list(error["fields"]) == [param]
        assert error["fields"][param][0]
    # The largest offsets PostgreSQL holds still filter.
    for offset in ("+15:59", "-15:59", "+08:00", "Z"):
        response = api.get(url, {param: f"2026-01-01T00:00:00{offset}"})
        assert response.status_code == 200, (url, param, offset, response.content[:300])


# --- every API error is JSON ------------------------------------------------------------------


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.core.security_urls"
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/test-boom/", "/api/v1/test-plain-boom/"])
def test_an_unhandled_api_error_is_a_json_500(failing_urls, path):
    client = Client(raise_request_exception=False)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 500
        assert response["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert error["code"] == "server_error"
        assert error["message"] and error["fields"] == {}
        assert "Boom" not in response.content.decode()  # no internals in the body


@pytest.mark.django_db
def test_a_database_that_went_away_is_a_json_503_to_retry(failing_urls):
    response = Client(raise_request_exception=False).get("/api/v1/test-database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"


@pytest.mark.django_db
def test_a_page_error_keeps_the_html_500_page(failing_urls):
    response = Client(raise_request_exception=False).get("/test-boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert 'data-testid="error-500"' in response.content.decode()
