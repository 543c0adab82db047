"""What every app's web views share: the estate a user works in now, role-limited views, safe
redirects, and the one place that turns a service's refusal into a message on the same page.

A view validates the shape of the input (a form), then calls one service through `attempt`:
a refusal — bad input (`ValidationError`), a change the record's state does not allow
(`InvalidTransition`) or an actor who may not (`NotAllowed`) — becomes a translated message on
the form, so the page re-renders with what the user typed. See docs/architecture.md, "Errors".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Estate
from propserv.roles import has_role


def estates_for(user):
    return Estate.objects.for_user(user)


def current_estate(request):
    """The estate the user works in now (?estate=CODE, else the first of theirs)."""
    estates = estates_for(request.user).order_by("name")
    code = request.GET.get("estate") or request.POST.get("estate")
    return (estates.filter(code=code).first() if code else None) or estates.first()


class RoleRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """A view for some roles only (names or role sets); superusers always pass."""

    roles: tuple = ()

    def test_func(self) -> bool:
        return has_role(self.request.user, *self.roles)


def safe_next(request, candidate: str | None, fallback: str) -> str:
    """`candidate` when it is a path on this site (no open redirect via ?next=), else `fallback`."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def refusal_messages(exc: Exception) -> dict[str | None, list[str]]:
    """{field or None: [messages]} of a service refusal, in the reader's language."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {
                (None if name == NON_FIELD_ERRORS else name): list(errors)
                for name, errors in exc.message_dict.items()
            }
        return {None: list(exc.messages)}
    if isinstance(exc, InvalidTransition):
        return {exc.field: [str(exc.message)]}
    if isinstance(exc, NotAllowed):
        return {None: [str(exc.message)]}
    raise TypeError(exc)


def attempt(request, call: Callable[..., Any], /, *args, form=None, **kwargs) -> tuple[bool, Any]:
    """Run one service call for a view: (True, result), or (False, None) after putting the
    refusal on `form` (beside the field it concerns; the form keeps the input) or, without a
    form, into the page's messages. A refusal that must conceal the record is a 404."""
    try:
        return True, call(*args, **kwargs)
    except NotAllowed as exc:
        if exc.conceal:
            raise Http404 from exc
        _report(request, form, exc)
    except (ValidationError, InvalidTransition) as exc:
        _report(request, form, exc)
    return False, None


def _report(request, form, exc: Exception) -> None:
    for field, texts in refusal_messages(exc).items():
        for text in texts:
            if form is not None:
                form.add_error(field if field in form.fields else None, text)
            else:
                messages.error(request, text)


def form_errors_to_messages(request, form) -> None:
    """An invalid form posted from a page that redirects or shows no bound form (a list, a
    board): its errors as messages, each field's under its label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        messages.error(request, f"{label}: {text}" if label else text)
