"""A quality check done on a 360-px phone, with a photo, in a real browser."""

from __future__ import annotations

import pytest
from PIL import Image
from selenium.webdriver.common.by import By

from inspections.models import CheckKind, QualityCheck
from tests.conftest import browser_login, click_and_wait
from tests.inspections.test_browser import fits, phone
from tests.inspections.test_quality import MONTHLY_ITEMS, template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_monthly_check_on_a_phone(browser, live_server, estate, staff, tmp_path):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    photo = tmp_path / "stain.jpg"
    Image.new("RGB", (640, 480), (180, 120, 60)).save(photo, "JPEG")
    phone(browser)
    browser_login(browser, live_server, "quality")
    browser.get(f"{live_server.url}/inspections/quality/templates/{tpl.pk}/check/")
    assert fits(browser)
    for name, score in (("r_i1", "25"), ("r_i2", "28"), ("r_i3", "45")):
        browser.find_element(By.NAME, name).send_keys(score)
    browser.find_element(By.NAME, "f1_description").send_keys("大堂地面污渍")
    browser.find_element(By.NAME, "photo1").send_keys(str(photo))
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button.primary"))
    # 25 is over the item's 20: refused on the same page, the input kept, nothing written.
    assert browser.find_elements(By.CSS_SELECTOR, ".errorlist")
    assert browser.find_element(By.NAME, "f1_description").get_attribute("value") == "大堂地面污渍"
    assert not QualityCheck.objects.exists()
    assert fits(browser)
    field = browser.find_element(By.NAME, "r_i1")
    field.clear()
    field.send_keys("18")
    browser.find_element(By.NAME, "photo1").send_keys(str(photo))
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button.primary"))
    check = QualityCheck.objects.get()
    assert (check.score, check.photos.count(), check.defects.count()) == (91, 1, 1)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=score]").text.startswith("91")
    assert fits(browser)
