"""The check every public service makes before it changes anything: does the actor work for the
record's estate, and hold a role that may do this? (docs/architecture.md, "Roles and checks").

A stranger to the estate is refused with `NotAllowed(conceal=True)` (a 404: the record's existence
is not confirmed); a colleague without the role gets a plain `NotAllowed` (403).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from propserv.errors import NotAllowed
from propserv.models import estate_ids_of
from propserv.roles import has_role


def works_for(user, estate) -> bool:
    """Whether `user` is an active staff member of `estate` (superusers work for every estate)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    estate_id = getattr(estate, "pk", estate)
    return user.is_superuser or estate_id in estate_ids_of(user)


def may(user, estate, roles) -> bool:
    """The question `check_actor` answers, for pages deciding what to offer."""
    return works_for(user, estate) and has_role(user, roles)


def check_actor(actor, *, estate, roles, message=None) -> None:
    """Raise unless `actor` works for `estate` and holds one of `roles` (a role set)."""
    if not works_for(actor, estate):
        raise NotAllowed(conceal=True)
    if not has_role(actor, roles):
        raise NotAllowed(message or _("Your role may not do this."))


def staff_of(estate, *roles):
    """Active staff of `estate` (holding any of `roles` — names or role sets — when given)."""
    qs = get_user_model().objects.filter(is_active=True, staff__estates=estate)
    if roles:
        names: set[str] = set()
        for role in roles:
            names.update((role,) if isinstance(role, str) else role)
        qs = qs.filter(groups__name__in=sorted(names))
    return qs.distinct().order_by("first_name", "username", "pk")


def staff_or_none(actor):
    """The acting staff user, or None for the system or an anonymous resident."""
    return actor if actor is not None and actor.is_authenticated else None
