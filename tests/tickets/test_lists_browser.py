"""The repair list in a real headless Chromium (issue 15, item 3): the project manager filters
by arrival and category on a desk screen (1366 px) and on a 360 px phone, where the rows are cards
and nothing is wider than the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import browser_login, click_and_wait
from tests.tickets.test_phone_layout_browser import overflow, phone_viewport, widest
from tests.tickets.test_timeliness import clock, repair
from tickets.rules import repairs as rrules

pytestmark = pytest.mark.browser

H = dt.timedelta(hours=1)


@pytest.fixture
def jobs(estate, unit, categories, staff):
    now = timezone.now()
    long_text = "厨房水管爆裂，水流不止，楼下天花板已经开始滴水，请尽快派人处理" * 3
    made = {}
    for name, category, met in (
        ("late", "water", now - H),
        ("late_light", "lighting", now - H),
        ("on_time", "water", now - 3 * H),
    ):
        r = repair(
            estate,
            categories[category],
            unit=unit,
            location="厨房水槽下方的进水管接头处" * 2,
            description=long_text,
            reporter_name="欧阳先生",
            technician=staff["technician"],
            received=now - 4 * H,
        )
        clock(r, rrules.ARRIVAL, due=now - 2 * H, met=met)
        made[name] = r
    return made


def listed(browser, jobs) -> set[str]:
    return {
        name
        for name, r in jobs.items()
        if browser.find_elements(By.CSS_SELECTOR, f"[data-testid=repair-{r.pk}]")
    }


def filter_late_water(browser, categories) -> None:
    details = browser.find_element(By.CSS_SELECTOR, "details.list-filters")
    if not details.get_attribute("open"):
        details.find_element(By.TAG_NAME, "summary").click()
    Select(browser.find_element(By.ID, "id_arrival")).select_by_value("late")
    Select(browser.find_element(By.ID, "id_category")).select_by_value(str(categories["water"].pk))
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form[data-testid=list-filter] button")
    )


@pytest.mark.parametrize("width", [1366, 360])
def test_the_project_manager_filters_the_repair_list(browser, live_server, jobs, categories, width):
    browser_login(browser, live_server, "project_manager")
    if width == 360:
        phone_viewport(browser)
    else:
        browser.set_window_size(width, 900)
    browser.get(f"{live_server.url}/tickets/repairs/")
    assert listed(browser, jobs) == set(jobs)
    filter_late_water(browser, categories)
    assert listed(browser, jobs) == {"late"}
    assert "arrival=late" in browser.current_url
    # The form keeps its values after the filter.
    assert (
        Select(browser.find_element(By.ID, "id_arrival")).first_selected_option.get_attribute(
            "value"
        )
        == "late"
    )
    scroll, inner = overflow(browser)
    assert scroll <= inner, widest(browser)
    display = browser.execute_script(
        "return getComputedStyle(document.querySelector('table.board tbody tr')).display;"
    )
    assert display == ("block" if width == 360 else "table-row")
    if width == 360:
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    # Clear brings every repair back.
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=clear-filters]"))
    assert listed(browser, jobs) == set(jobs)
