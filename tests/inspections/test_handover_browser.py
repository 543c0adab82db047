"""The hand-over on a 360-px phone in a real browser: problems entered on the inspection round,
the owner's acceptance on the move-in day (refused without a reason while a blocking problem is
open, then accepted with one), and the batch board refreshing itself on a front-desk PC."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from inspections import services
from inspections.models import MoveInAppointment, Problem, UnitHandover
from tests.conftest import browser_login, click_and_wait, wait_for
from tests.inspections.handover_helpers import DAY, plan_with_batch, taxonomy, units_with_owners

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser) -> None:
    browser.set_window_size(360, 740)


def fits(browser) -> bool:
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1;"
    )


def test_problems_entered_on_a_phone(browser, live_server, estate, staff):
    ((unit, _owner, _key),) = units_with_owners(estate, 1)
    types = taxonomy(estate, staff["supervisor"])
    phone(browser)
    browser_login(browser, live_server, "patrol")
    browser.get(f"{live_server.url}/inspections/handover/problems/new/?estate={estate.code}")
    assert fits(browser)
    browser.find_element(By.ID, "id_form-0-unit").send_keys(unit.code)
    browser.find_element(By.ID, "id_form-0-location").send_keys("主卫")
    Select(browser.find_element(By.ID, "id_form-0-defect_type")).select_by_value(
        str(types["水电"].pk)
    )
    Select(browser.find_element(By.ID, "id_form-0-severity")).select_by_value("blocking")
    browser.find_element(By.ID, "id_form-1-unit").send_keys(unit.code)
    browser.find_element(By.ID, "id_form-1-location").send_keys("客厅")
    Select(browser.find_element(By.ID, "id_form-1-defect_type")).select_by_value(
        str(types["墙面"].pk)
    )
    button = browser.find_element(By.CSS_SELECTOR, "[data-testid=problem-entry] button.primary")
    assert button.size["width"] <= 360
    click_and_wait(browser, button)
    assert "2" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert fits(browser)
    # The next entry starts on the same unit.
    assert browser.find_element(By.ID, "id_form-0-unit").get_attribute("value") == unit.code
    problems = Problem.objects.filter(unit=unit).order_by("pk")
    assert [(p.location, p.severity) for p in problems] == [("主卫", "blocking"), ("客厅", "minor")]


def test_owner_acceptance_on_a_phone(browser, live_server, estate, staff):
    ((unit, owner, _key),) = units_with_owners(estate, 1)
    types = taxonomy(estate, staff["supervisor"])
    services.problems_add(
        estate=estate,
        rows=[services.NewProblem(unit, "厨房", types["水电"], Problem.Severity.BLOCKING)],
        actor=staff["patrol"],
    )
    appt = services.appointment_book(unit=unit, owner=owner, day=DAY, actor=staff["frontdesk"])
    phone(browser)
    browser_login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/inspections/handover/movein/{appt.pk}/")
    assert fits(browser)
    accept = browser.find_element(By.CSS_SELECTOR, "[data-testid=accept] button.primary")
    click_and_wait(browser, accept)
    error = browser.find_element(By.CSS_SELECTOR, "[data-testid=accept] .errorlist")
    assert "影响交房" in error.text  # in Chinese, beside the field
    assert MoveInAppointment.objects.get(pk=appt.pk).status == "booked"
    assert not UnitHandover.objects.exists()
    browser.find_element(By.ID, "id_override_reason").send_keys("业主同意先收房，厨房三日内修复")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=accept] button.primary")
    )
    status = browser.find_element(By.CSS_SELECTOR, "[data-testid=appointment-status]")
    assert status.get_attribute("data-status") == "accepted"
    assert fits(browser)
    assert UnitHandover.objects.get(unit=unit).override_reason.startswith("业主同意")


def test_the_board_refreshes_itself_on_a_desk_pc(browser, live_server, estate, staff):
    homes = units_with_owners(estate, 3)
    _plan, batch, _item = plan_with_batch(estate, staff)
    appts = [
        services.appointment_book(unit=u, owner=o, batch=batch, actor=staff["frontdesk"])
        for u, o, _k in homes
    ]
    browser_login(browser, live_server, "supervisor")
    browser.get(f"{live_server.url}/inspections/handover/movein/batches/{batch.pk}/")

    def tally(code: str) -> str:
        return browser.find_element(By.CSS_SELECTOR, f".tally[data-status={code}] b").text

    assert tally("booked") == "3" and tally("accepted") == "0"
    services.appointment_accept(appointment=appts[0], actor=staff["frontdesk"])
    assert wait_for(lambda: tally("accepted") == "1", seconds=30)
    assert tally("booked") == "2"
    phone(browser)
    browser.refresh()
    assert fits(browser)
