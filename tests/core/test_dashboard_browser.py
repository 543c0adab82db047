"""The project manager opens the dashboard, clicks a red figure and lands on the list of exactly
the records behind it; the cards refresh themselves without a reload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import browser_login, click_and_wait
from tests.tickets.kpi_dataset import repair
from tickets.demo import ensure_reference_data

pytestmark = pytest.mark.browser


def test_project_manager_clicks_a_red_figure_and_gets_exactly_its_repairs(
    browser, live_server, estate, unit, staff
):
    ensure_reference_data(estate)
    water = estate.repair_categories.get(code="water")
    doors = estate.repair_categories.get(code="doors-windows")
    received = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    tech = staff["technician"]
    on_time = repair(
        estate,
        unit,
        water,
        received,
        urgent=True,
        tech=tech,
        arrival=(15, 10),
        completion=(120, 60),
    )
    late = repair(
        estate,
        unit,
        water,
        received + dt.timedelta(minutes=5),
        urgent=True,
        tech=tech,
        arrival=(15, 40),
        completion=(120, 90),
    )
    normal_late = repair(
        estate,
        unit,
        doors,
        received,
        urgent=False,
        tech=tech,
        arrival=(30, 45),
        completion=(120, 100),
    )

    browser_login(browser, live_server, "project_manager")
    assert browser.current_url.endswith("/dashboard/")  # the manager's home
    day = timezone.localtime(received).date().isoformat()  # the estate's local date
    browser.get(f"{live_server.url}/dashboard/?period=custom&from={day}&to={day}")
    figure = browser.find_element(By.CSS_SELECTOR, "[data-kpi='repairs.urgent_arrival']")
    assert "miss" in figure.get_attribute("class")
    assert "50%" in figure.text and "未达标" in figure.text  # red, and says so in words
    click_and_wait(browser, figure.find_element(By.CSS_SELECTOR, "a.kpi-value"))

    listed = browser.find_elements(
        By.CSS_SELECTOR, "[data-testid=repair-list] tbody tr[data-testid]"
    )
    assert [row.get_attribute("data-testid") for row in listed] == [f"repair-{late.pk}"]
    assert on_time.number not in browser.page_source
    assert normal_late.number not in browser.page_source


def test_cards_refresh_without_a_reload(browser, live_server, estate, staff):
    browser_login(browser, live_server, "supervisor")
    browser.execute_script("window.__sameDocument = true;")
    # The script swaps the fragment in every 10 s; the document is the same one afterwards.
    WebDriverWait(browser, 25).until(
        lambda drv: (
            drv.find_element(By.ID, "dashboard-cards").get_attribute("data-refreshed") == "1"
        )
    )
    assert browser.execute_script("return window.__sameDocument === true;")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-kpi='repairs.received']")
