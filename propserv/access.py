"""Roles and what they may see. Roles are Django groups named by propserv.models.Role values."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin

from propserv.models import Estate, Role

# Roles that phone residents back and so need whole numbers (DOMAIN.md §1: confidentiality).
PHONE_ROLES = {Role.FRONT_DESK, Role.AREA_ADMIN, Role.SUPERVISOR, Role.PROJECT_MANAGER}
MANAGER_ROLES = {Role.SUPERVISOR, Role.PROJECT_MANAGER, Role.QUALITY, Role.GM}


def user_roles(user) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_propserv_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._propserv_roles = cached
    return cached


def remember_scope(user, *, roles, estate_ids) -> None:
    """Keep the roles and estate ids read along with `user` (by the API's token authentication)
    on this user object, so that this request asks the database for them no more."""
    user._propserv_roles = set(roles)
    user._propserv_estate_ids = list(estate_ids)


def has_role(user, *roles: str) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and (user.is_superuser or bool(user_roles(user) & set(roles)))
    )


def can_see_phones(user) -> bool:
    return has_role(user, *PHONE_ROLES)


def is_manager(user) -> bool:
    return has_role(user, *MANAGER_ROLES)


def estates_for(user):
    return Estate.objects.for_user(user)


def current_estate(request):
    """The estate the user works in now (?estate=CODE, else the first of theirs)."""
    estates = estates_for(request.user).order_by("name")
    code = request.GET.get("estate") or request.POST.get("estate")
    return (estates.filter(code=code).first() if code else None) or estates.first()


def staff_of(estate, *roles: str):
    """Active staff of `estate` (holding any of `roles`, when given), by name."""
    from django.contrib.auth import get_user_model

    qs = get_user_model().objects.filter(is_active=True, staff__estates=estate)
    if roles:
        qs = qs.filter(groups__name__in=list(roles))
    return qs.distinct().order_by("first_name", "username")


def staff_or_none(actor):
    """The acting staff user, or None for the system or an anonymous resident."""
    return actor if actor is not None and actor.is_authenticated else None


class RoleRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """A view for some roles only; superusers always pass."""

    roles: tuple[str, ...] = ()

    def test_func(self) -> bool:
        return has_role(self.request.user, *self.roles)


def safe_next(request, candidate: str | None, fallback: str) -> str:
    """`candidate` when it is a path on this site (no open redirect via ?next=), else `fallback`."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback
