"""What the fees pages share: the role check, the current estate and the scoped unit lookup."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from propserv.models import Unit
from propserv.roles import FEE_VIEWERS, has_role
from propserv.web import current_estate


def fees_view(*roles):
    """Login plus one of `roles` (role sets; default: everyone who may see accounts)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *(roles or (FEE_VIEWERS,))):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def unit_of(request, pk) -> Unit:
    """A unit of the user's estates (another estate's unit is a 404)."""
    return get_object_or_404(
        Unit.objects.for_user(request.user).select_related("estate", "building"), pk=pk
    )


def estate_or_404(request):
    """The estate the page is about (one of the user's; none: 404)."""
    estate = current_estate(request)
    if estate is None:
        raise Http404
    return estate
