"""Authentication under attack: API tokens expire and die with a password change, deactivation or
logout; repeated failed logins lock the username and the address out (django-axes) on the login
form and on /api/v1/auth/token/ until the supervisor unblocks or the cool-off passes; the token
endpoint is throttled. Real PostgreSQL (axes' tables), real Redis (the throttle's counters)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

_ips = itertools.count(1)


def _address() -> str:
    """A fresh address per client: the lockout and the throttle count per address."""
    n = next(_ips)
    return f"10.{uuid.uuid4().int % 200 + 20}.{n // 256 % 256}.{n % 256}"


def _token(username: str, password: str = PASSWORD, address: str | None = None):
    return APIClient(REMOTE_ADDR=address or _address()).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def _with_token(key: str) -> APIClient:
    client = APIClient(REMOTE_ADDR=_address())
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- tokens -----------------------------------------------------------------------------------


def test_a_token_expires_and_a_new_login_issues_a_fresh_one(staff):
    key = _token("frontdesk").json()["token"]
    assert _with_token(key).get("/api/v1/me/").status_code == 200
    old = timezone.now() - dt.timedelta(days=settings.API_TOKEN_TTL_DAYS, seconds=1)
    Token.objects.filter(key=key).update(created=old)
    response = _with_token(key).get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not Token.objects.filter(key=key).exists()
    fresh = _token("frontdesk").json()["token"]
    assert fresh != key
    assert _with_token(fresh).get("/api/v1/me/").status_code == 200


def test_an_expired_token_is_replaced_at_login(staff):
    key = _token("frontdesk").json()["token"]
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=400))
    fresh = _token("frontdesk").json()["token"]
    assert fresh != key and Token.objects.filter(user=staff["frontdesk"]).count() == 1


def test_a_password_change_ends_the_token(staff):
    key = _token("frontdesk").json()["token"]
    user = staff["frontdesk"]
    user.set_password("a-new-password-2026")
    user.save()
    assert _with_token(key).get("/api/v1/me/").status_code in (401, 403)
    assert not Token.objects.filter(user=user).exists()


def test_saving_the_user_without_a_new_password_keeps_the_token(staff):
    key = _token("frontdesk").json()["token"]
    user = staff["frontdesk"]
    user.first_name = "小王"
    user.save()
    assert _with_token(key).get("/api/v1/me/").status_code == 200


def test_deactivation_ends_the_token(staff):
    key = _token("frontdesk").json()["token"]
    user = staff["frontdesk"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not Token.objects.filter(key=key).exists()
    user.is_active = True
    user.save()
    assert _with_token(key).get("/api/v1/me/").status_code in (401, 403)


def test_logging_out_of_the_site_ends_the_token(staff):
    key = _token("frontdesk").json()["token"]
    client = Client(REMOTE_ADDR=_address())
    client.force_login(staff["frontdesk"])
    assert client.post("/accounts/logout/").status_code == 302
    assert _with_token(key).get("/api/v1/me/").status_code in (401, 403)


def test_delete_on_the_token_endpoint_is_an_api_logout(staff):
    key = _token("frontdesk").json()["token"]
    client = _with_token(key)
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code in (401, 403)
    # Anonymous: nothing to revoke.
    assert APIClient().delete("/api/v1/auth/token/").status_code in (401, 403)


def test_a_stale_token_header_does_not_block_a_login(staff):
    client = APIClient(REMOTE_ADDR=_address())
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.post(
        "/api/v1/auth/token/", {"username": "frontdesk", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]


# --- lockout ----------------------------------------------------------------------------------


def _form_login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_form_locks_a_username_out_after_five_failures(staff):
    attacker = Client(REMOTE_ADDR=_address())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _form_login(attacker, "frontdesk", "wrong").status_code in (200, 429)
    # The right password from the same place, and from anywhere else, is refused now.
    for client in (attacker, Client(REMOTE_ADDR=_address())):
        response = _form_login(client, "frontdesk", PASSWORD)
        assert response.status_code == 429
        assert 'data-testid="locked-out"' in response.content.decode()
        assert not _logged_in(client)
    # Another user from another address is not affected.
    other = Client(REMOTE_ADDR=_address())
    assert _form_login(other, "supervisor", PASSWORD).status_code == 302 and _logged_in(other)


def test_an_address_is_locked_out_whatever_username_it_tries(staff):
    address = _address()
    attacker = Client(REMOTE_ADDR=address)
    for n in range(settings.AXES_FAILURE_LIMIT):
        _form_login(attacker, f"guess{n}", "wrong")
    victim_here = Client(REMOTE_ADDR=address)
    assert _form_login(victim_here, "frontdesk", PASSWORD).status_code == 429
    assert not _logged_in(victim_here)
    elsewhere = Client(REMOTE_ADDR=_address())
    assert _form_login(elsewhere, "frontdesk", PASSWORD).status_code == 302


def test_the_token_endpoint_locks_out_too_in_the_api_error_shape(staff):
    address = _address()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _token("frontdesk", "wrong", address).status_code in (400, 429)
    response = _token("frontdesk", PASSWORD, address)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert "token" not in response.json()
    # Failures on the API lock the login form as well (the same username).
    assert _form_login(Client(REMOTE_ADDR=_address()), "frontdesk", PASSWORD).status_code == 429


def test_the_supervisor_unblocks_and_the_user_logs_in(staff):
    attacker = Client(REMOTE_ADDR=_address())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _form_login(attacker, "frontdesk", "wrong")
    assert _form_login(Client(REMOTE_ADDR=_address()), "frontdesk", PASSWORD).status_code == 429

    desk = Client()
    desk.force_login(staff["area_admin"])
    assert desk.get("/accounts/lockouts/").status_code == 403  # not for every desk role

    supervisor = Client()
    supervisor.force_login(staff["supervisor"])
    page = supervisor.get("/accounts/lockouts/")
    assert page.status_code == 200 and "frontdesk" in page.content.decode()
    attempt = AccessAttempt.objects.filter(username="frontdesk").first()
    assert supervisor.post("/accounts/lockouts/", {"attempt": attempt.pk}).status_code == 302
    assert not AccessAttempt.objects.filter(username="frontdesk").exists()

    user = Client(REMOTE_ADDR=_address())
    assert _form_login(user, "frontdesk", PASSWORD).status_code == 302 and _logged_in(user)


def test_a_supervisor_cannot_unblock_another_estates_staff(staff, other_estate):
    make_staff("stranger", "frontdesk", estates=[other_estate])
    attacker = Client(REMOTE_ADDR=_address())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _form_login(attacker, "stranger", "wrong")
    attempt = AccessAttempt.objects.get(username="stranger")
    supervisor = Client()
    supervisor.force_login(staff["supervisor"])
    assert "stranger" not in supervisor.get("/accounts/lockouts/").content.decode()
    assert supervisor.post("/accounts/lockouts/", {"attempt": attempt.pk}).status_code == 404
    assert AccessAttempt.objects.filter(username="stranger").exists()


def test_the_lockout_ends_after_the_cool_off(staff):
    address = _address()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token("frontdesk", "wrong", address)
    assert _token("frontdesk", PASSWORD, address).status_code == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert _token("frontdesk", PASSWORD, address).status_code == 200


def test_the_token_endpoint_is_throttled_per_address(staff):
    address = _address()
    codes = [_token("frontdesk", PASSWORD, address).status_code for _ in range(21)]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429
    # Another address is not slowed down.
    assert _token("frontdesk", PASSWORD).status_code == 200
