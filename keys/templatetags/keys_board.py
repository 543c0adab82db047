"""`{% load keys_board %}{% keys_overdue_board %}`: the overdue keys card for the front-desk board."""

from django import template
from django.utils import timezone

from keys.permissions import VIEW_ROLES, has_role
from keys.selectors import overdue_loans

register = template.Library()


@register.inclusion_tag("keys/_overdue_board.html", takes_context=True)
def keys_overdue_board(context, limit: int = 10):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_role(user, *VIEW_ROLES):
        return {"show": False}
    now = timezone.now()
    loans = overdue_loans(user, now)
    return {"show": True, "loans": list(loans[:limit]), "total": loans.count(), "now": now}
