"""A real browser: intake by phone -> grade -> reply -> handled -> callback -> closed."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import browser_login, click_and_wait
from tickets.models import Callback, Complaint

pytestmark = pytest.mark.browser


def chinese(browser):
    """Headless Chromium asks for English whatever --lang says: switch as staff would."""
    switch = browser.find_elements(By.CSS_SELECTOR, "button[name=language][value=zh-hans]")
    if switch:
        click_and_wait(browser, switch[0])


def test_intake_grade_reply_callback(browser, live_server, estate, unit, staff):
    browser_login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/tickets/complaints/new/")
    chinese(browser)
    browser.find_element(By.ID, "id_unit_code").send_keys(unit.code)
    browser.find_element(By.ID, "id_complainant_name").send_keys("王女士")
    browser.find_element(By.ID, "id_complainant_phone").send_keys("13800001111")
    Select(browser.find_element(By.ID, "id_category")).select_by_visible_text("人员素质类")
    browser.find_element(By.ID, "id_description").send_keys("保安对访客态度恶劣")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=complaint-form] button")
    )

    complaint = Complaint.objects.get()
    assert browser.current_url.endswith(complaint.get_absolute_url())
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=proposed-grade]").text == "重要"
    grade_form = browser.find_element(By.CSS_SELECTOR, "form[action$='/grade/']")
    chosen = Select(grade_form.find_element(By.NAME, "grade")).first_selected_option
    assert chosen.get_attribute("value") == "important"  # the proposal, preselected
    click_and_wait(browser, grade_form.find_element(By.CSS_SELECTOR, "button"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=grade]").text == "重要"

    reply_form = browser.find_element(By.CSS_SELECTOR, "form[action$='/reply/']")
    reply_form.find_element(By.NAME, "text").send_keys("已向您致歉，并对当班保安进行教育")
    click_and_wait(browser, reply_form.find_element(By.CSS_SELECTOR, "button"))
    handle_form = browser.find_element(By.CSS_SELECTOR, "form[action$='/handle/']")
    handle_form.find_element(By.NAME, "outcome").send_keys("已约谈当班保安")
    click_and_wait(browser, handle_form.find_element(By.CSS_SELECTOR, "button"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=status]").text == "已处理，待回访"

    # The callback is made by the caller the grade names (supervisor), not the front desk.
    callback = Callback.objects.get(complaint=complaint)
    assert callback.assigned_to == staff["supervisor"]
    browser.delete_all_cookies()
    browser_login(browser, live_server, "supervisor")
    browser.get(f"{live_server.url}/tickets/callbacks/")
    chinese(browser)
    row = browser.find_element(By.CSS_SELECTOR, f"[data-testid=callback-{callback.pk}]")
    assert complaint.number in row.text
    click_and_wait(browser, row.find_element(By.CSS_SELECTOR, "a"))
    outcome = browser.find_element(By.CSS_SELECTOR, "[data-testid=callback-outcome]")
    Select(outcome.find_element(By.NAME, "satisfaction")).select_by_value("5")
    outcome.find_element(By.NAME, "comment").send_keys("满意")
    outcome.find_element(By.NAME, "confirmed_by_resident").click()
    click_and_wait(browser, outcome.find_element(By.CSS_SELECTOR, "button"))
    assert "5/5" in browser.find_element(By.CSS_SELECTOR, "[data-testid=callback-outcome]").text

    browser.get(f"{live_server.url}{complaint.get_absolute_url()}")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=status]").text == "已结案"
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert complaint.first_reply_at is not None
    assert list(complaint.events.values_list("action", flat=True)) == [
        "created",
        "graded",
        "replied",
        "handled",
        "callback_due",
        "called_back",
        "closed",
    ]
