"""The two refusals every service may raise, mapped once for the API (propserv.rest) and once for
the web pages (propserv.web). Bad input is Django's own `ValidationError` (400).

See docs/architecture.md, "Errors".
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class InvalidTransition(Exception):
    """The record is not in a state that allows this change now (HTTP 409).

    `field` names the form field the message belongs to, when there is one, so a page can show it
    beside what the user typed."""

    default_message = _("This change is not allowed in the record's current state.")

    def __init__(self, message=None, *, code: str = "invalid_transition", field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.code = code
        self.field = field
        super().__init__(str(self.message))


class NotAllowed(PermissionDenied):
    """The actor may not do this (HTTP 403).

    `conceal=True` when the actor does not work for the record's estate: the answer is then a 404,
    so a stranger cannot even learn that the record exists."""

    default_message = _("You may not do this.")

    def __init__(self, message=None, *, conceal: bool = False, code: str = "not_allowed"):
        self.message = message if message is not None else self.default_message
        self.conceal = conceal
        self.code = code
        super().__init__(str(self.message))
