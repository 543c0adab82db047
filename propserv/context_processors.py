from propserv.models import Notification
from propserv.registry import registry
from propserv.roles import is_manager, user_roles
from propserv.workdays import years_needing_confirmation


def shell(request):
    """What base.html needs on every page: roles for the navigation, the bell, calendar warnings."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    manager = is_manager(user) or user.is_superuser
    return {
        "roles": user_roles(user),
        "nav_entries": registry.nav_for(user),
        "is_manager": manager,
        "unread_count": Notification.objects.filter(recipient=user).unread().count(),
        # The site-wide warning goes to those who can confirm the calendar (administrators);
        # everyone else sees it on the calendar page itself.
        "provisional_years": list(years_needing_confirmation().values_list("year", flat=True))
        if user.is_staff
        else [],
    }
