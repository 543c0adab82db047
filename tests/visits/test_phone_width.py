"""Every page the front desk or a patrol guard opens on a phone fits a 360 px screen (issue 12,
item 6): lists become cards, nothing scrolls sideways. Real headless Chromium."""

import pytest

from tests.conftest import browser_login
from tests.visits.helpers import log, phone_notice
from tests.visits.test_public import finish
from tickets.services import repairs as repair_services
from visits.public import tracking_url
from visits.services import handover as handover_svc
from visits.services import reception

pytestmark = pytest.mark.browser

PHONE = 360


def phone_sized(browser, width: int = PHONE) -> int:
    """Make the page `width` CSS px wide, whatever the headless window's own chrome takes."""
    browser.set_window_size(width, 800)
    inner = browser.execute_script("return window.innerWidth")
    if inner != width:
        browser.set_window_size(width + (width - inner), 800)
        inner = browser.execute_script("return window.innerWidth")
    assert inner == width
    return inner


def overflow(browser, url: str) -> int:
    browser.get(url)
    return browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


def test_front_desk_pages_fit_a_phone(browser, live_server, estate, unit, staff, categories):
    resident_call = log(
        estate,
        staff["frontdesk"],
        "业主来电：3栋2单元1502卫生间天花板渗水，楼上住户不在家，要求尽快上门查看处理",
        unit=unit,
        caller_name="王先生",
        caller_phone="13800001502",
    )
    repair = reception.visit_convert_to_repair(
        visit_id=resident_call.pk,
        actor=staff["frontdesk"],
        category=categories["drainage"],
        description="卫生间天花板渗水",
    )
    finish(repair, staff)
    repair_services.repair_record_callback(
        repair_id=repair.pk, satisfaction=5, actor=staff["area_admin"]
    )
    open_one = log(estate, staff["frontdesk"], "咨询停车位月租价格以及办理流程", unit=unit)
    handover = handover_svc.handover_create(
        estate=estate, actor=staff["frontdesk"], recipients=[staff["area_admin"]], note="交班"
    )
    notice = phone_notice(estate, staff["frontdesk"])
    width = phone_sized(browser)
    browser_login(browser, live_server, "frontdesk")
    pages = {
        "reception": "/visits/",
        "open entries": "/visits/open/",
        "entry": resident_call.get_absolute_url(),
        "open entry": open_one.get_absolute_url(),
        "lookup": "/visits/lookup/?q=1502",
        "handovers": "/visits/handovers/",
        "handover": handover.get_absolute_url(),
        "notices": "/visits/notices/",
        "phone notice": notice.get_absolute_url(),
        "defects": "/visits/defects/",
        "report form": f"/report/{estate.code}/",
        "tracking": tracking_url(repair),
        "tracking lookup": "/track/",
    }
    too_wide = {}
    for name, path in pages.items():
        extra = overflow(browser, live_server.url + path)
        assert "/accounts/login/" not in browser.current_url, name
        assert browser.execute_script("return !!document.querySelector('main h1')"), name
        if extra > 0:
            too_wide[name] = f"{path}: {width + extra}px"
    assert not too_wide, too_wide
    # The handover's list is a pile of cards on a phone, not a table.
    browser.get(live_server.url + handover.get_absolute_url())
    assert open_one.number in browser.page_source
    assert (
        browser.execute_script(
            "return getComputedStyle(document.querySelector('table.stack thead')).display"
        )
        == "none"
    )
