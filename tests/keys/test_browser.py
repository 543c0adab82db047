"""The whole walk in a real browser: entrust → lend to a contractor → return → inspection fails
→ re-inspection passes → loan closed."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from keys.models import Key, KeyLoan
from keys.selectors import key_ledger_check
from tests.conftest import browser_login
from tests.keys.helpers import make_owner, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_and_wait(browser, element) -> None:
    """Click, then wait until the next page has loaded (never read the old page)."""
    browser.execute_script("window.__leaving = true;")
    element.click()
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script(
            "return window.__leaving !== true && document.readyState === 'complete';"
        )
    )


def submit(browser, selector: str = "main form[method=post] button.primary"):
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, selector))


def follow(browser, selector: str):
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, selector))


def login_in_chinese(browser, live_server, username: str) -> None:
    """Log in and make sure the pages are in Chinese, whatever language headless Chromium asks for."""
    browser_login(browser, live_server, username)
    switch = browser.find_elements(By.CSS_SELECTOR, "button[name=language][value=zh-hans]")
    if switch:
        click_and_wait(browser, switch[0])


def text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "main").text


def test_entrust_lend_to_contractor_return_inspect_until_closed(
    browser, live_server, estate, unit, staff
):
    owner = make_owner(unit, name="陈业主")
    person = make_person(estate, staff["frontdesk"], name="黄建国", liaison=staff["area_admin"])

    # The front desk receives the owner's key.
    login_in_chinese(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/keys/entrust/")
    browser.find_element(By.NAME, "unit_code").send_keys("3-2-1502")
    submit(browser, "form.search button[type=submit]")
    browser.find_element(By.CSS_SELECTOR, f"input[name=owner][value='{owner.pk}']").click()
    browser.find_element(By.NAME, "identity_checked").click()
    browser.find_element(By.NAME, "owner_id_last4").send_keys("1234")
    count = browser.find_element(By.NAME, "count")
    count.clear()
    count.send_keys("2")
    browser.find_element(By.NAME, "reason").send_keys("业主出国半年")
    assert "不承担" in browser.find_element(By.CSS_SELECTOR, "[data-testid=waiver]").text
    browser.find_element(By.NAME, "waiver_accepted").click()
    submit(browser)
    assert "在前台" in text(browser)

    # ...and hands it to the area administrator, both named.
    follow(browser, "a[href$='/handover/']")
    Select(browser.find_element(By.NAME, "handed_to")).select_by_value(str(staff["area_admin"].pk))
    browser.find_element(By.NAME, "slot").send_keys("E-01")
    submit(browser)
    assert "在柜，柜位 E-01" in text(browser)

    # Lend it to the contractor's registered responsible person.
    follow(browser, "a[href$='/lend/']")
    browser.find_element(By.CSS_SELECTOR, "input[name=borrower_kind][value=contractor]").click()
    Select(browser.find_element(By.NAME, "borrower_person")).select_by_value(str(person.pk))
    browser.find_element(By.NAME, "reason").send_keys("更换厨房水管")
    submit(browser)
    assert "黄建国" in text(browser) and "借出中" in text(browser)

    # The contractor brings it back: counted.
    submit(browser, "button[name=do][value=return]")
    assert (
        "已归还，待验房" in browser.find_element(By.CSS_SELECTOR, "[data-testid=loan-status]").text
    )
    loan_url = browser.current_url

    # The patrol guard inspects: not clean.
    browser.delete_all_cookies()
    login_in_chinese(browser, live_server, "patrol")
    browser.get(loan_url)
    browser.find_element(By.NAME, "facilities_intact").click()
    browser.find_element(By.NAME, "rectification").send_keys("厨房地面有施工垃圾")
    submit(browser, "button[name=do][value=inspect]")
    assert "整改中" in browser.find_element(By.CSS_SELECTOR, "[data-testid=loan-status]").text
    assert "厨房地面有施工垃圾" in text(browser)

    # Re-inspection after the contractor cleaned up: passed, the loan closes.
    browser.find_element(By.NAME, "facilities_intact").click()
    browser.find_element(By.NAME, "clean").click()
    submit(browser, "button[name=do][value=inspect]")
    assert "已结束" in browser.find_element(By.CSS_SELECTOR, "[data-testid=loan-status]").text
    results = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid=inspection]")]
    assert len(results) == 2 and "不合格" in results[0] and "合格" in results[1]

    loan = KeyLoan.objects.get()
    key = Key.objects.get()
    assert loan.status == "closed" and loan.borrower_person == person
    assert key.state == "in_cabinet" and key.slot == "E-01"
    assert key_ledger_check(key) == []
