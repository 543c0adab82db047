"""Template helpers of the fees pages only: which fee pages a user may open (the subnav offers
only those)."""

from django import template

from propserv.roles import CASHIERS, FEE_MANAGERS, has_role

register = template.Library()

PAGES = {"desk": CASHIERS, "managers": FEE_MANAGERS}


@register.filter
def fees_may(user, page: str) -> bool:
    return has_role(user, PAGES[page])
