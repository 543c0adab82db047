"""The cashier's walk in a real browser (issue 13, "Done when"): the lookup page → the fee
panel → a WeChat payment for a unit three months behind → the receipt."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from fees.models import Payment
from fees.selectors import balance
from tests.conftest import browser_login, click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lookup_to_payment_to_receipt(browser, live_server, billed_unit):
    browser_login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/visits/lookup/?q={billed_unit.code}")
    panel = browser.find_element(By.CSS_SELECTOR, "[data-panel='fees.unit']")
    assert "750.00" in panel.text
    click_and_wait(browser, panel.find_element(By.CSS_SELECTOR, "[data-testid=take-payment]"))
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=payment-form]")
    assert form.find_element(By.NAME, "amount").get_attribute("value") == "750.00"
    form.find_element(By.CSS_SELECTOR, "input[name=method][value=wechat]").click()
    form.find_element(By.NAME, "reference").send_keys("4200001234202612060001")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button.primary"))
    payment = Payment.objects.get()
    assert payment.receipt_number in browser.page_source
    assert "4200001234202612060001" in browser.page_source
    assert balance(billed_unit) == 0
