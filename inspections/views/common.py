"""What the renovation views share: the role check, the estate, redirects after a service call.
Every view reads through `for_user` (another estate's record is a 404) and writes through one
service called with `propserv.web.attempt`."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render

from inspections import selectors
from inspections.models import Renovation
from propserv.roles import RENOVATION_VIEWERS, has_role
from propserv.web import current_estate


def renovation_view(*roles):
    """Login plus one of `roles` (role sets; default: everyone who follows renovations)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *(roles or (RENOVATION_VIEWERS,))):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page(request, template: str, context: dict, *forms_shown):
    """Render a page with its forms: 400 when one of them carries errors."""
    failed = any(form is not None and form.errors for form in forms_shown)
    return render(request, template, context, status=400 if failed else 200)


def done(request, url: str, text: str = ""):
    if text:
        messages.success(request, text)
    return HttpResponseRedirect(url)


def estate_or_404(request):
    estate = current_estate(request)
    if estate is None:
        raise Http404
    return estate


def renovation_or_404(request, pk) -> Renovation:
    return get_object_or_404(selectors.visible_renovations(request.user), pk=pk)
