"""visits adds to the shared pages through the registry (propserv.registry), never through
template tags another app loads or imports wrapped in try/except."""

import importlib.util

from django.template import Context, Template
from django.test import RequestFactory

from propserv.registry import LookupHit, LookupProvider, Panel, registry
from tests.factories import make_staff
from tests.visits.helpers import client_for, log
from visits import extensions


def test_nav_entries_by_role(estate, staff):
    def keys(user):
        return {entry.key for entry in registry.nav_for(user)}

    for role in ("frontdesk", "area_admin", "supervisor", "quality", "gm", "patrol", "finance"):
        assert {"visits.reception", "visits.lookup"} <= keys(staff[role]), role
    assert not {"visits.reception", "visits.lookup"} & keys(staff["technician"])
    both = make_staff("tech-desk", "technician", "frontdesk", estates=[estate])
    assert "visits.reception" in keys(both)
    assert "visits.praise" in keys(staff["project_manager"])
    assert "visits.praise" not in keys(staff["supervisor"])
    page = client_for(staff["frontdesk"], "en").get("/visits/").content.decode()
    assert 'data-nav="visits.reception"' in page and 'data-nav="visits.praise"' not in page


def test_panels_and_kinds_are_registered():
    for page in ("repair", "complaint"):
        assert registry.panels[(page, "visits.origin")].template == "visits/_origin.html"
    assert ("unit", "visits.entries") in registry.panels
    assert "visits.entries" in registry.lookups
    for kind in extensions.DEADLINE_KINDS:
        assert registry.deadline_kinds[kind] == "visits"
        assert kind in registry.deadline_policies
    assert importlib.util.find_spec("visits.templatetags") is None


def test_origin_panel_renders_nothing_for_a_repair_without_an_entry(staff):
    request = RequestFactory().get("/")
    request.user = staff["frontdesk"]
    html = Template('{% load registry %}{% panels "repair" repair %}').render(
        Context({"repair": None, "request": request})
    )
    assert html == ""


def test_the_lookup_renders_what_other_apps_registered(estate, staff, unit):
    """Another app's unit panel and lookup provider appear without visits knowing the app."""
    visit = log(estate, staff["frontdesk"], unit=unit)
    registry.add_panel(
        Panel(
            page="unit",
            key="test.unit",
            template="visits/_unit_entries.html",
            context=lambda request, u: {"visits": []} if u == unit else None,
            order=99,
        )
    )
    registry.add_lookup(
        LookupProvider(
            key="test.lookup",
            search=lambda user, estate_ids, q: (
                [LookupHit(kind="Thing", title=f"T-{q}", url="/things/1/", detail="held")]
                if estate.pk in estate_ids
                else []
            ),
        )
    )
    try:
        page = client_for(staff["frontdesk"], "en").get("/visits/lookup/?q=3-2-1502")
        html = page.content.decode()
    finally:
        registry.panels.pop(("unit", "test.unit"))
        registry.lookups.pop("test.lookup")
    assert "T-3-2-1502" in html and "/things/1/" in html
    assert html.count('data-panel="visits.entries"') == 2  # visits' own and the test's
    assert visit.number in html
    found = client_for(staff["frontdesk"], "en").get(f"/visits/lookup/?q={visit.number}")
    assert 'data-testid="lookup-hit"' in found.content.decode()
