"""The header offers each user what their roles may open — and a superuser, who passes every
role check, is not offered a technician's own job list (registry NavEntry.personal)."""

import pytest
from django.urls import reverse

from propserv.registry import registry

pytestmark = pytest.mark.django_db


def _nav_keys(user) -> set[str]:
    return {entry.key for entry in registry.nav_for(user)}


def test_my_jobs_is_for_technicians_not_for_superusers(client, staff, admin_user):
    assert "my-jobs" in _nav_keys(staff["technician"])
    assert "my-jobs" not in _nav_keys(admin_user)
    assert "my-jobs" not in _nav_keys(staff["frontdesk"])
    assert "repairs" in _nav_keys(admin_user)  # the rest of the nav is still all there
    client.force_login(admin_user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("tickets:my-jobs") not in home
    client.force_login(staff["technician"])
    assert reverse("tickets:my-jobs") in client.get(reverse("home")).content.decode()
