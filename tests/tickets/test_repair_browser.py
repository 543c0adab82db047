import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import browser_login, click_and_wait
from tickets.models import Repair

pytestmark = pytest.mark.browser


def logout(browser):
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/accounts/logout/'] button")
    )


def test_report_dispatch_arrive_complete_creates_callback_deadline(
    browser, live_server, staff, unit, categories
):
    browser_login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/tickets/repairs/new/")
    browser.find_element(By.ID, "id_unit_code").send_keys("3-2-1502")
    Select(browser.find_element(By.ID, "id_category")).select_by_visible_text("水管爆裂/漏水")
    browser.find_element(By.ID, "id_description").send_keys("厨房水管爆裂，水流不止")
    browser.find_element(By.ID, "id_reporter_name").send_keys("王先生")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))

    repair = Repair.objects.get()
    row = browser.find_element(By.CSS_SELECTOR, f"[data-testid=repair-{repair.pk}]")
    assert "3-2-1502" in row.text
    # Dispatch from the board in two clicks: choose the technician, press Dispatch.
    Select(row.find_element(By.NAME, "technician")).select_by_value(str(staff["technician"].pk))
    click_and_wait(browser, row.find_element(By.CSS_SELECTOR, "form.dispatch button"))
    repair.refresh_from_db()
    assert repair.status == "dispatched"
    logout(browser)

    browser.set_window_size(390, 844)  # the technician's phone
    browser_login(browser, live_server, "technician")
    browser.get(f"{live_server.url}/tickets/my-jobs/")
    job = browser.find_element(By.CSS_SELECTOR, f"[data-testid=job-{repair.pk}]")
    click_and_wait(browser, job.find_element(By.CSS_SELECTOR, "button.big"))  # I have arrived
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, f"[data-testid=job-{repair.pk}] button.big")
    )  # start
    job = browser.find_element(By.CSS_SELECTOR, f"[data-testid=job-{repair.pk}]")
    job.find_element(By.ID, "id_labour_minutes").send_keys("35")
    job.find_element(By.ID, "id_signed_by").send_keys("王先生")
    click_and_wait(browser, job.find_element(By.CSS_SELECTOR, "button.big"))

    repair.refresh_from_db()
    assert repair.status == "completed", browser.find_element(By.TAG_NAME, "main").text
    browser.get(f"{live_server.url}{repair.get_absolute_url()}")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid='deadline-repair.arrival']").text
    callback_row = browser.find_element(By.CSS_SELECTOR, "[data-testid='deadline-repair.callback']")
    assert "回访" in callback_row.text or "callback" in callback_row.text.lower()
