"""The relay, the patrol round and the title-certificate pages on a 360-px phone (real headless
Chromium): nothing scrolls sideways, and an administrator records a round with a problem that
becomes a repair."""

from __future__ import annotations

import io

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import browser_login, click_and_wait
from tests.factories import ResidentFactory
from tests.visits.test_phone_width import overflow, phone_sized
from visits.models import CommonPatrol, TitleCertificate
from visits.services import patrols, relay, titles

pytestmark = pytest.mark.browser


def test_relay_patrol_and_title_pages_on_a_phone(
    browser, live_server, estate, unit, staff, categories
):
    relay.department_head_set(
        estate=estate, department="engineering", head=staff["technician"], actor=staff["supervisor"]
    )
    item = relay.relay_report(
        estate=estate,
        actor=staff["frontdesk"],
        summary="业主来电：3栋2单元电梯厅灯不亮，晚上很黑，希望尽快修好",
        department="engineering",
        reporter="resident",
        caller_name="王先生",
        unit=unit,
    )
    lobby = patrols.patrol_place_add(
        estate=estate, actor=staff["supervisor"], name="1栋大堂", look_at="照明、门禁、地面卫生"
    )
    owner = ResidentFactory(unit=unit, name="王先生")
    rows = f"房号,姓名\n{unit.code},{owner.name}\n".encode()
    titles.titles_import(
        estate=estate, actor=staff["frontdesk"], file=io.BytesIO(rows), filename="l.csv"
    )
    cert = TitleCertificate.objects.get()
    width = phone_sized(browser)
    browser_login(browser, live_server, "area_admin")
    pages = {
        "relay": "/visits/relay/",
        "relay item": item.get_absolute_url(),
        "heads": "/visits/department-heads/",
        "patrols": "/visits/patrols/",
        "titles": "/visits/titles/",
        "title": cert.get_absolute_url(),
        "lookup": f"/visits/lookup/?q={unit.code}",
    }
    too_wide = {}
    for name, path in pages.items():
        extra = overflow(browser, live_server.url + path)
        assert browser.execute_script("return !!document.querySelector('main h1')"), name
        if extra > 0:
            too_wide[name] = f"{path}: {width + extra}px"
    assert not too_wide, too_wide
    # the round on the phone: the lobby's lights are out → a repair
    browser.get(live_server.url + "/visits/patrols/")
    browser.find_element(By.CSS_SELECTOR, f"input[name=r{lobby.pk}][value=repair]").click()
    browser.find_element(By.ID, f"p{lobby.pk}").send_keys("大堂灯不亮")
    Select(browser.find_element(By.ID, f"c{lobby.pk}")).select_by_index(1)
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=patrol-form] button")
    )
    patrol = CommonPatrol.objects.get()
    problem = patrol.problems.get()
    assert problem.repair is not None and problem.repair.number in browser.page_source
