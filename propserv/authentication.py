"""API authentication (its own module: DRF imports it while its settings load, before its views)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from propserv.access import remember_scope
from propserv.models import StaffProfile


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication that also reads the user's roles and estate ids in the same
    query: every API request needs both (who may do what, which estates' rows to show)."""

    def authenticate_credentials(self, key):
        user_id = OuterRef("user_id")
        token = (
            Token.objects.select_related("user")
            .annotate(
                role_names=ArraySubquery(Group.objects.filter(user=user_id).values("name")),
                estate_ids=ArraySubquery(
                    StaffProfile.estates.through.objects.filter(
                        staffprofile__user_id=user_id
                    ).values("estate_id")
                ),
            )
            .filter(key=key)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_scope(token.user, roles=token.role_names, estate_ids=token.estate_ids)
        return (token.user, token)
