"""What the tickets API views share."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _


def validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def colleague(estate, username: str, field: str):
    user = (
        get_user_model()
        .objects.filter(username=username, is_active=True, staff__estates=estate)
        .first()
    )
    if user is None:
        raise DjangoValidationError({field: [_("Unknown colleague.")]})
    return user
