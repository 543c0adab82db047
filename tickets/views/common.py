"""What the tickets views share."""

from __future__ import annotations

from django.contrib import messages


def form_refusal(request, form) -> None:
    """The errors of an invalid action form, also as one message at the top of the page (the
    bound form shows them beside the fields it re-renders)."""
    for name, errors in form.errors.items():
        text = " ".join(errors)
        messages.error(
            request, f"{form.fields[name].label}: {text}" if name in form.fields else text
        )
