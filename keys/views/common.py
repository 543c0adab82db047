"""What the key cabinet's views share: the role check, the user's keys and loans, the estate and
month of a report. Every view reads through `for_user` (a stranger's key is a 404) and writes
through one service, called with `propserv.web.attempt` (a refusal re-renders the same page with
the input kept)."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from keys.forms import MonthForm
from propserv.roles import KEY_VIEWERS, has_role
from propserv.web import current_estate, safe_next


def keys_view(*roles):
    """Login plus one of `roles` (role sets; default: everyone who may see the cabinet)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *(roles or (KEY_VIEWERS,))):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def form_page(request, template: str, context: dict, *forms_shown):
    """Render a page with its forms: 400 when one of them carries errors."""
    failed = any(form is not None and form.errors for form in forms_shown)
    return render(request, template, context, status=400 if failed else 200)


def done(request, url: str, text: str = "", *, error: bool = False):
    """Redirect after a service call, with a message."""
    if text:
        (messages.error if error else messages.success)(request, text)
    return HttpResponseRedirect(url)


def report_month(request) -> dt.date:
    form = MonthForm(request.GET or None)
    if request.GET.get("month") and form.is_valid():
        return form.cleaned_data["month"].replace(day=1)
    return timezone.localdate().replace(day=1)


def report_estate(request):
    estate = current_estate(request)
    if estate is None:
        raise Http404
    return estate


def back_to(request) -> str:
    """The page that sent the user here to register something first (the loan form's
    "register a contractor" link passes `next`), when it is a path on this site; else ""."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), "")


def with_params(url: str, **params) -> str:
    """`url` with `params` added to (or replacing those in) its query string."""
    path, _sep, query = url.partition("?")
    kept = [
        pair.split("=", 1)
        for pair in query.split("&")
        if pair and pair.split("=", 1)[0] not in params
    ]
    merged = [(k, v[0] if v else "") for k, *v in kept] + [(k, str(v)) for k, v in params.items()]
    return f"{path}?{urlencode(merged)}" if merged else path
