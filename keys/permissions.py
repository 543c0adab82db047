"""Who may do what in the key cabinet. Checked by the services, so web, API and admin agree."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from propserv.models import Estate
from propserv.roles import Role, has_role

# Everyone who needs to know where a key is.
VIEW_ROLES = (
    Role.FRONT_DESK,
    Role.AREA_ADMIN,
    Role.SUPERVISOR,
    Role.PROJECT_MANAGER,
    Role.PATROL,
    Role.QUALITY,
    Role.GM,
)
# The desk that registers, lends and takes back keys.
DESK_ROLES = (Role.FRONT_DESK, Role.AREA_ADMIN, Role.SUPERVISOR, Role.PROJECT_MANAGER)
# Inspects a unit after a contractor's loan, and vacant units.
INSPECT_ROLES = (Role.PATROL, Role.AREA_ADMIN, Role.SUPERVISOR)
# Approves loans longer than key_loan_max_days.
APPROVE_ROLES = (Role.SUPERVISOR, Role.PROJECT_MANAGER)
# Keeps the cabinet: receives entrusted keys from the front desk.
CUSTODIAN_ROLES = (Role.AREA_ADMIN, Role.SUPERVISOR)


def works_for(user, estate) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Estate.objects.filter(pk=estate.pk, staff__user=user).exists()


def has_estate_role(user, estate, roles) -> bool:
    return works_for(user, estate) and has_role(user, *roles)


def require(user, estate, roles) -> None:
    if not has_estate_role(user, estate, roles):
        raise PermissionDenied(_("You may not do this in the key cabinet."))
