"""The gate and rental pages on a 360 px phone (real headless Chromium): nothing scrolls
sideways, and a guard registers a visitor with the host's agreement from the phone."""

import datetime as dt

import pytest
from selenium.webdriver.common.by import By

from propserv.models import Estate
from tests.conftest import browser_login, click_and_wait
from tests.factories import ResidentFactory
from tests.visits.test_phone_width import overflow, phone_sized
from visits.models import GateVisitor
from visits.services import gate, moveout, rentals

pytestmark = pytest.mark.browser


def test_front_desk_service_pages_fit_a_phone(browser, live_server, estate, unit, staff):
    estate.kind = Estate.Kind.MIXED
    estate.save(update_fields=["kind"])
    owner = ResidentFactory(unit=unit, name="李业主")
    desk = staff["frontdesk"]
    listing = rentals.listing_register(
        estate=estate,
        actor=desk,
        unit=unit,
        owner=owner,
        asking_rent="3000",
        available_from=dt.date(2026, 12, 1),
        description="三房两厅，南北通透，家电齐全，近地铁，可短租可长租，随时看房",
        contact_consent=True,
    )
    seeker = rentals.seeker_register(
        estate=estate, actor=desk, name="求租者", phone="13700000001", budget="3500"
    )
    match = rentals.match_propose(listing_id=listing.pk, seeker_id=seeker.pk, actor=desk)
    lease = rentals.lease_file(
        estate=estate,
        actor=desk,
        unit=unit,
        match=match,
        tenant_name="张租客",
        tenant_phone="13700000001",
        monthly_rent="3000",
        signed_on=dt.date(2026, 12, 1),
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 11, 30),
    )
    move_out = moveout.move_out_start(
        tenant=lease.tenant, actor=desk, planned_on=dt.date(2027, 11, 30)
    )
    gate.directory_add(
        estate=estate, actor=desk, company="翠湖国际贸易有限公司", floor=15, unit=unit
    )
    gate.parcel_log(
        estate=estate,
        actor=desk,
        kind="parcel",
        description="顺丰包裹（大件，需两人搬运）",
        for_name="李业主",
        left_by="顺丰快递员",
        unit=unit,
    )
    phone_sized(browser)
    browser_login(browser, live_server, "frontdesk")
    pages = [
        "/visits/rentals/",
        listing.get_absolute_url(),
        f"/visits/rentals/seekers/{seeker.pk}/",
        lease.get_absolute_url(),
        "/visits/move-outs/",
        move_out.get_absolute_url(),
        "/visits/gate/",
        "/visits/directory/?q=翠湖",
        "/visits/directory/?q=无名",
        "/visits/parcels/",
    ]
    wide = {p: overflow(browser, live_server.url + p) for p in pages}
    assert {p: w for p, w in wide.items() if w > 0} == {}


def test_guard_registers_a_visitor_on_a_phone(browser, live_server, estate, unit, staff):
    phone_sized(browser)
    browser_login(browser, live_server, "patrol")
    browser.get(live_server.url + "/visits/gate/")
    browser.find_element(By.ID, "id_name").send_keys("访客甲")
    browser.find_element(By.ID, "id_unit").send_keys(unit.code)
    browser.find_element(By.ID, "id_host_name").send_keys("王先生")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form.form-grid button[type=submit]")
    )
    assert "不得进入" in browser.page_source and not GateVisitor.objects.exists()
    browser.find_element(By.ID, "id_host_agreed").click()
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form.form-grid button[type=submit]")
    )
    visitor = GateVisitor.objects.get()
    assert visitor.name == "访客甲" and visitor.unit == unit
    assert f'data-testid="visitor-{visitor.pk}"' in browser.page_source
