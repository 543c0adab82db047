"""What the staff screens of visits share: the estates of the user, the page for a user without
one, and one service call through propserv.web.attempt with its success message."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from propserv.web import attempt, estates_for


def user_estates(request) -> list:
    return list(estates_for(request.user).order_by("name"))


def no_estate(request):
    messages.error(request, _("You do not work for any estate yet."))
    return HttpResponseRedirect(reverse("home"))


def run(request, call, /, *args, ok_message: str, form=None, **kwargs):
    """Call one service; (True, result) with `ok_message` shown, or (False, None) with the
    refusal on `form` (input kept) or in the page's messages."""
    ok, result = attempt(request, call, *args, form=form, **kwargs)
    if ok:
        messages.success(request, str(ok_message))
    return ok, result
