"""The login lockouts page: who is blocked after repeated failed logins (django-axes), and an
Unblock button for the customer-service supervisor (docs/deploy.md, "Security settings").

A supervisor sees the lockouts of their own estates' staff and of usernames that exist nowhere
(someone guessing); a superuser sees all. Unblocking clears the failures of that username and
of that address.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from propserv.models import estate_ids_of
from propserv.roles import DESK_LEADS
from propserv.web import RoleRequiredMixin


def visible_attempts(user):
    """The failed-login records of the cool-off window this user may see and clear."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time")
    if user.is_superuser:
        return attempts
    users = get_user_model().objects
    colleagues = users.filter(staff__estates__in=estate_ids_of(user)).values("username")
    unknown = ~Q(username__in=users.values("username"))
    return attempts.filter(Q(username__in=colleagues) | unknown)


class LockoutsPage(RoleRequiredMixin, View):
    roles = tuple(DESK_LEADS)

    def get(self, request):
        attempts = visible_attempts(request.user)[:200]
        return render(
            request,
            "propserv/lockouts.html",
            {"attempts": attempts, "limit": settings.AXES_FAILURE_LIMIT},
        )

    def post(self, request):
        attempt = get_object_or_404(visible_attempts(request.user), pk=request.POST.get("attempt"))
        reset(ip=attempt.ip_address, username=attempt.username, ip_or_username=True)
        messages.success(
            request,
            _("%(username)s at %(address)s may log in again.")
            % {"username": attempt.username, "address": attempt.ip_address},
        )
        return HttpResponseRedirect(reverse("lockouts"))
