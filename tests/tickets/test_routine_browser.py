"""The routine-callback pages on a 360 px phone: an area administrator works the quarter's visits
from the queue and the overview, the tally and the register of key households fit the screen, in
a real headless Chromium."""

from __future__ import annotations

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import browser_login, click_and_wait
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory
from tests.tickets.test_phone_layout_browser import PHONE_WIDTH, overflow, phone_viewport, widest
from tickets.models import AdministratorArea, Callback
from tickets.services import routine as services

pytestmark = pytest.mark.browser


@pytest.fixture
def planned(estate, staff):
    building = BuildingFactory(estate=estate, code="5")
    units = [UnitFactory(building=building, code=f"5-2-{n}") for n in (501, 502)]
    resident = ResidentFactory(unit=units[0], name="欧阳长名字的业主先生", phone="13912345678")
    area = AdministratorArea.objects.create(
        estate=estate, name="五栋片区", administrator=staff["area_admin"]
    )
    area.buildings.add(building)
    services.routine_generate_visits(
        estate=estate, kind="admin_visit", actor=staff["supervisor"], on=timezone.localdate()
    )
    services.routine_plan(
        estate=estate,
        kind="emergency",
        unit=units[1],
        topic="深夜水管爆裂，协助关闸并联系维修，住户家中老人受惊" * 2,
        due_on_date=timezone.localdate(),
        actor=staff["frontdesk"],
    )
    services.key_household_add(
        estate=estate,
        unit=units[0],
        resident=resident,
        reason="空巢老人，需定期走访",
        actor=staff["frontdesk"],
    )
    return Callback.objects.get(unit=units[0], kind="admin_visit")


@pytest.mark.parametrize("username", ["area_admin", "frontdesk"])
def test_routine_pages_fit_a_phone(browser, live_server, planned, username):
    browser_login(browser, live_server, username)
    phone_viewport(browser)
    pages = {  # each page with what it must show
        "/tickets/callbacks/": "5-2-502",
        "/tickets/callbacks/routine/": "5-2-501",
        "/tickets/callbacks/tally/": "area_admin",
        "/tickets/key-households/": "空巢老人",
        "/tickets/key-households/?unit=5-2-501": 'data-testid="history"',
        planned.get_absolute_url(): "欧阳长名字的业主先生",
    }
    too_wide = {}
    for path, shown in pages.items():
        browser.get(f"{live_server.url}{path}")
        scroll, inner = overflow(browser)
        assert inner == PHONE_WIDTH
        assert shown in browser.page_source, path
        if scroll > inner:
            too_wide[path] = (scroll, widest(browser))
    assert too_wide == {}


def test_an_administrator_records_a_visit_on_a_phone(browser, live_server, planned):
    browser_login(browser, live_server, "area_admin")
    phone_viewport(browser)
    browser.get(f"{live_server.url}{planned.get_absolute_url()}")
    form = browser.find_element(By.CSS_SELECTOR, '[data-testid="callback-outcome"]')
    Select(form.find_element(By.NAME, "satisfaction")).select_by_value("5")
    form.find_element(By.NAME, "comment").send_keys("家里一切都好")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    planned.refresh_from_db()
    assert planned.status == "done" and planned.comment == "家里一切都好"
    scroll, inner = overflow(browser)
    assert scroll <= inner == PHONE_WIDTH, widest(browser)
