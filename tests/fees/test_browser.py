"""The cashier's walk in a real browser (issue 13, "Done when"): the lookup page → the fee
panel of a unit three months behind → a WeChat payment → the receipt, printable."""

from __future__ import annotations

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from fees import rules, selectors
from fees.models import Payment
from tests.conftest import browser_login, click_and_wait
from tests.fees.helpers import bill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def three_behind(unit, item, staff):
    """`unit` billed for the three months up to the last one already past its due day."""
    today = timezone.localdate()
    due_day = unit.estate.service_settings.fee_due_day
    last = rules.period_of(today)
    if rules.due_on(last, due_day) >= today:
        last = rules.add_months(last, -1)
    bill(unit.estate, staff["finance"], *(rules.add_months(last, -k) for k in (2, 1, 0)))
    assert selectors.account_summary(unit)["months"] == 3
    return unit


def test_lookup_to_payment_to_receipt(browser, live_server, three_behind):
    unit = three_behind
    browser_login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/visits/lookup/?q={unit.code}")
    panel = browser.find_element(By.CSS_SELECTOR, "[data-panel='fees.unit']")
    assert "750.00" in panel.text and "3" in panel.text
    click_and_wait(browser, panel.find_element(By.CSS_SELECTOR, "[data-testid=take-payment]"))
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=payment-form]")
    assert form.find_element(By.NAME, "amount").get_attribute("value") == "750.00"
    form.find_element(By.CSS_SELECTOR, "input[name=method][value=wechat]").click()
    form.find_element(By.NAME, "reference").send_keys("4200001234202612060001")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button.primary"))
    payment = Payment.objects.get()
    assert payment.method == "wechat" and payment.amount == 750
    assert payment.receipt_number in browser.page_source
    assert "4200001234202612060001" in browser.page_source
    assert selectors.balance(unit) == 0
    # The receipt prints: its PDF is one click away.
    pdf = browser.find_elements(By.CSS_SELECTOR, "a[href*='format=pdf']")
    assert pdf, "the receipt links its PDF"
