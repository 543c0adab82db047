"""API authentication (its own module: DRF imports it while its settings load, before its views)."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
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
        f'SELECT u.*, t."created" AS token_created, '  # noqa: S608
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
        remember_scope(user, roles=user.role_names, estate_ids=user.estate_ids)
        token = Token(key=key, user=user, created=user.token_created)
        token._state.adding = False
        return (user, token)
