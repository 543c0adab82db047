"""What the tickets views share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS

from propserv.web import attempt


def attempt_on_page(request, call, /, *, form, **kwargs):
    """`propserv.web.attempt` for a page that re-renders `form` on a refusal: an error about a
    field stays beside that field with what was typed; a refusal of the whole action (the
    record's state, the actor's role) is said once at the top of the page, where it is seen."""
    ok, result = attempt(request, call, form=form, **kwargs)
    if not ok and form is not None:
        for text in form.errors.pop(NON_FIELD_ERRORS, []):
            messages.error(request, text)
    return ok, result
