"""Authentication (its own module: DRF imports it while its settings load, before its views).

- API tokens live `API_TOKEN_TTL_DAYS` (settings) and die with a password change, deactivation or
  a logout (`revoke_tokens_*` receivers, connected in `PropservConfig.ready`);
- login lockout (django-axes) guards the login form and `/api/v1/auth/token/` alike, per
  username and per address; the token endpoint is throttled as well (`auth-token` rate).
See docs/deploy.md, "Security settings".
"""

from __future__ import annotations

import datetime as dt
import functools

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from propserv.models import StaffProfile
from propserv.roles import remember_scope


@functools.cache
def _token_sql() -> str:
    """The user of a token, with their role names and estate ids, in one statement. Written out
    (table names from the models) rather than composed by the ORM on every request: every API
    call runs it, and composing it cost more than running it."""
    user = get_user_model()._meta
    through = StaffProfile.estates.through._meta
    user_groups = user.get_field("groups").remote_field.through._meta
    # Only table names from the models are formatted in; the key is a parameter.
    return (
        f'SELECT u.*, t."created" AS token_created, '  # noqa: S608  # nosec B608 - table names from the models; the key is a parameter
        f'ARRAY(SELECT g."name" FROM "{Group._meta.db_table}" g '
        f'JOIN "{user_groups.db_table}" ug ON ug."group_id" = g."id" '
        f'WHERE ug."user_id" = u."id" ORDER BY g."name") AS role_names, '
        f'ARRAY(SELECT se."estate_id" FROM "{through.db_table}" se '
        f'JOIN "{StaffProfile._meta.db_table}" sp ON sp."id" = se."staffprofile_id" '
        f'WHERE sp."user_id" = u."id" ORDER BY se."estate_id") AS estate_ids '
        f'FROM "{Token._meta.db_table}" t JOIN "{user.db_table}" u ON u."id" = t."user_id" '
        f'WHERE t."key" = %s'
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication that also reads the user's roles and estate ids in the same
    query: every API request needs both (who may do what, which estates' rows to show)."""

    def authenticate_credentials(self, key):
        user = next(iter(get_user_model().objects.raw(_token_sql(), [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(user.token_created):
            Token.objects.filter(key=key).delete()
            raise exceptions.AuthenticationFailed(_("The token has expired. Log in again."))
        remember_scope(user, roles=user.role_names, estate_ids=user.estate_ids)
        token = Token(key=key, user=user, created=user.token_created)
        token._state.adding = False
        return (user, token)


def token_expired(created: dt.datetime) -> bool:
    return created <= timezone.now() - dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before the model backend. A call without a request (the test client's
    login, a management command) has no address to count and is passed on unchecked; every login
    a person makes (the login form, the token endpoint, the admin) carries its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """The caller's address for the lockout. Behind our reverse proxy (BEHIND_PROXY=1) the proxy
    appends the real address to X-Forwarded-For: the last entry is the one we can trust."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")


# --- tokens die with the credentials they were issued for ---------------------------------------


def remember_credentials(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save of the user: note whether this save changes the password or deactivates."""
    instance._propserv_revoke_tokens = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every login: no extra query
    old = sender.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    if old is not None:
        instance._propserv_revoke_tokens = old[0] != instance.password or (
            old[1] and not instance.is_active
        )


def revoke_tokens_on_change(sender, instance, raw=False, **kwargs):
    """post_save of the user: a new password or a deactivation ends every API token."""
    if getattr(instance, "_propserv_revoke_tokens", False):
        Token.objects.filter(user_id=instance.pk).delete()
        instance._propserv_revoke_tokens = False


def revoke_tokens_on_logout(sender, request, user, **kwargs):
    """user_logged_out: logging out of the site ends the user's API token too."""
    if user is not None:
        Token.objects.filter(user_id=user.pk).delete()
