"""What inspections registers: the nav entry, the unit panel, the deadline kinds, the demo."""

from __future__ import annotations

import pytest
from django.core import checks
from django.test import RequestFactory

from inspections import demo, selectors
from inspections.models import Rectification, Renovation
from inspections.sla import KINDS
from propserv.registry import registry
from tests.factories import UnitFactory, make_staff
from tests.inspections.helpers import approved, make_owner

pytestmark = pytest.mark.django_db


def test_nav_entry_for_patrol_desk_and_managers(staff):
    def keys_for(role):
        return {e.key for e in registry.nav_for(staff[role])}

    for role in ("patrol", "frontdesk", "supervisor", "quality", "gm"):
        assert "inspections" in keys_for(role), role
    for role in ("technician", "finance"):
        assert "inspections" not in keys_for(role), role


def test_deadline_kinds_have_policies():
    for kind in KINDS:
        assert registry.deadline_kinds[kind] == "inspections"
        assert kind in registry.deadline_policies
    assert not [e for e in checks.run_checks() if e.id.startswith("propserv.E")]


def test_unit_panel_shows_the_active_renovation(unit, owner, person, staff):
    request = RequestFactory().get("/")
    request.user = staff["frontdesk"]
    assert selectors.unit_panel(request, unit) is None
    renovation = approved(unit, owner, person, staff)
    assert selectors.unit_panel(request, unit)["renovation"] == renovation
    request.user = staff["technician"]
    assert selectors.unit_panel(request, unit) is None


def test_demo_seeds_three_renovations_once(estate, staff):
    make_staff("root", estates=[estate], is_superuser=True, is_staff=True)
    for n in range(3):
        make_owner(UnitFactory(building__estate=estate, code=f"5-1-{n + 101}"), f"业主{n}")
    demo.seed(estate)
    demo.seed(estate)
    statuses = sorted(Renovation.objects.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "stopped"]
    open_notices = Rectification.objects.open()
    assert sorted(open_notices.values_list("serious", flat=True)) == [False, True]
    assert all(r.passes.count() == 2 for r in Renovation.objects.all())
