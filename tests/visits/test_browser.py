"""Real Chromium: a resident on a phone, the front desk logging a call, a shift handover."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import PASSWORD, wait_for_page
from tests.factories import make_staff
from tests.visits.conftest import image_bytes
from tickets.models import Repair
from tickets.services import repairs as repair_services
from visits.models import Visit
from visits.services import reception

pytestmark = pytest.mark.browser


def click_and_wait(browser, element, seconds: float = 10) -> None:
    """Click something that loads a new page and wait until that page has loaded: the old
    document carries a marker the new one does not. (Waiting for the old <html> element to go
    stale sometimes trips a chromedriver "node does not belong to the document" error.)"""
    browser.execute_script("window.__visitsOldPage = true;")
    element.click()
    WebDriverWait(browser, seconds).until(
        lambda b: b.execute_script(
            "return window.__visitsOldPage === undefined && document.readyState === 'complete'"
        )
    )


def logout(browser):
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/accounts/logout/'] button")
    )


def login(browser, live_server, username, password=PASSWORD):
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(password)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit].primary"))
    wait_for_page(browser, "header .who")


def assert_fits(browser, width: int):
    scroll_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide on a {width}px screen"


def test_resident_reports_on_a_phone_and_tracks_it(
    browser, live_server, estate, unit, categories, staff, tmp_path
):
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(1200, 900)))
    browser.set_window_size(360, 740)
    width = browser.execute_script("return window.innerWidth")
    browser.get(f"{live_server.url}/report/{estate.code}/?b=3")
    assert_fits(browser, width)
    unit_field = browser.find_element(By.ID, "id_unit_code")
    assert unit_field.get_attribute("value") == "3-"
    unit_field.send_keys("2-1502")
    browser.find_element(By.ID, "id_name").send_keys("王先生")
    browser.find_element(By.ID, "id_phone").send_keys("13800001502")
    Select(browser.find_element(By.ID, "id_category")).select_by_visible_text("下水道堵塞")
    browser.find_element(By.ID, "id_description").send_keys("厨房下水道堵塞，污水倒流")
    browser.find_element(By.ID, "id_photos").send_keys(str(photo))
    assert not browser.find_element(By.ID, "id_website").is_displayed()  # the honeypot
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".report-form button.primary"))

    repair = Repair.objects.get()
    code = browser.find_element(By.CSS_SELECTOR, "[data-testid=tracking-code]").text
    assert code == repair.tracking_code and repair.channel == "web"
    assert repair.photos.count() == 1
    assert_fits(browser, width)
    tracking_url = browser.current_url.split("?")[0]

    # The technician comes and finishes; the resident reopens the link and rates in one tap.
    tech = staff["technician"]
    repair_services.repair_dispatch(repair_id=repair.pk, technician=tech, actor=staff["frontdesk"])
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech)
    browser.get(tracking_url)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=arrival]").text
    repair_services.repair_start(repair_id=repair.pk, actor=tech)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=20, signed_by="王先生"
    )
    browser.get(tracking_url)
    timeline = browser.find_element(By.CSS_SELECTOR, "[data-testid=timeline]").text
    assert len(timeline.splitlines()) >= 4
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "button[name=satisfaction][value='5']")
    )
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=rated]").text
    assert_fits(browser, width)
    repair.refresh_from_db()
    assert repair.status == Repair.Status.CLOSED
    assert repair.callbacks.get().satisfaction == 5


def test_front_desk_logs_a_call_with_type_ahead_and_converts_it(
    browser, live_server, estate, unit, resident, categories, staff
):
    login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/visits/")
    Select(browser.find_element(By.ID, "id_channel")).select_by_value("phone")
    browser.find_element(By.ID, "id_who").send_keys("3-2-15")
    choice = WebDriverWait(browser, 10).until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "#lookup-results button"))
    )
    assert "王先生" in choice.text
    choice.click()
    assert browser.find_element(By.ID, "id_unit_code").get_attribute("value") == "3-2-1502"
    assert browser.find_element(By.ID, "id_caller_phone").get_attribute("value") == resident.phone
    Select(browser.find_element(By.ID, "id_category")).select_by_value("repair")
    browser.find_element(By.ID, "id_summary").send_keys("卫生间水管漏水")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.entry button.primary"))

    visit = Visit.objects.get()
    assert visit.resident == resident and visit.owner == staff["frontdesk"]
    form = wait_for_page(browser, "[data-testid=to-repair]")
    assert (
        form.find_element(By.ID, "id_repair-description").get_attribute("value") == "卫生间水管漏水"
    )
    Select(form.find_element(By.ID, "id_repair-category")).select_by_visible_text("水管爆裂/漏水")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button.primary"))

    repair = Repair.objects.get()
    assert browser.current_url.endswith(repair.get_absolute_url())
    assert repair.reporter == resident and repair.urgent
    visit.refresh_from_db()
    assert visit.repair == repair
    browser.get(f"{live_server.url}{visit.get_absolute_url()}")
    assert (
        repair.number in browser.find_element(By.CSS_SELECTOR, "[data-testid=linked-repair]").text
    )
    assert "frontdesk" in browser.find_element(By.CSS_SELECTOR, "[data-testid=owner]").text


def test_handover_is_acknowledged_by_the_next_shift(browser, live_server, estate, unit, staff):
    night = make_staff("night", "frontdesk", estates=[estate])
    visit = reception.visit_create(
        estate=estate,
        actor=staff["frontdesk"],
        channel="phone",
        category="other",
        unit=unit,
        summary="业主询问停车位出租",
    )
    login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/visits/handovers/")
    assert visit.number in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.ID, "id_note").send_keys("3栋电梯下午维保")
    # Addressed to the next shift's named person (issue 12, item 10).
    browser.find_element(By.CSS_SELECTOR, f"input[name=recipients][value='{night.pk}']").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button.primary"))
    handover_url = browser.current_url
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=acknowledge]")
    logout(browser)

    login(browser, live_server, "night")
    browser.get(handover_url)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=acknowledge]"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=acknowledged]").text
    owner_cell = browser.find_element(By.CSS_SELECTOR, f"[data-testid=owner-{visit.pk}]")
    assert owner_cell.text == "night"
    visit.refresh_from_db()
    assert visit.owner == night
