"""The gate check and the patrol checklist on a 360-px phone, in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from inspections import rules, services
from inspections.models import Patrol
from inspections.services.patrols import day_slots
from tests.conftest import browser_login, click_and_wait
from tests.inspections.helpers import approved, issue_pass, make_contractor, make_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser) -> None:
    browser.set_window_size(360, 740)


def fits(browser) -> bool:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1;"
    )


def under_way(unit, staff):
    today = timezone.localdate()
    return approved(
        unit,
        make_owner(unit),
        make_contractor(unit.estate, staff["frontdesk"]),
        staff,
        planned_start=today - dt.timedelta(days=3),
        planned_end=today + dt.timedelta(days=30),
    )


def test_gate_check_on_a_phone(browser, live_server, estate, unit, staff):
    renovation = under_way(unit, staff)
    now, today = timezone.now(), timezone.localdate()
    valid = issue_pass(renovation, staff, name="有效", until=today + dt.timedelta(days=5), when=now)
    expired = issue_pass(
        renovation,
        staff,
        name="过期",
        until=today - dt.timedelta(days=1),
        when=now - dt.timedelta(days=2),
    )
    revoked = issue_pass(
        renovation, staff, name="收回", until=today + dt.timedelta(days=5), when=now
    )
    services.pass_revoke(worker_pass=revoked, reason="违规", actor=staff["frontdesk"])
    phone(browser)
    browser_login(browser, live_server, "patrol")
    for worker_pass, state in ((valid, "valid"), (expired, "expired"), (revoked, "revoked")):
        browser.get(f"{live_server.url}/inspections/gate/")
        field = browser.find_element(By.NAME, "n")
        field.send_keys(worker_pass.number)
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.gate button.primary"))
        verdict = browser.find_element(By.CSS_SELECTOR, "[data-testid=verdict]")
        assert verdict.get_attribute("data-state") == state
        assert verdict.is_displayed() and verdict.size["width"] <= 360
        assert fits(browser)
    # The QR code opens the same page with the number filled in.
    browser.get(f"{live_server.url}/inspections/gate/?n={valid.number}")
    assert (
        browser.find_element(By.CSS_SELECTOR, "[data-testid=verdict]").get_attribute("data-state")
        == "valid"
    )


def test_patrol_on_a_phone(browser, live_server, estate, unit, staff):
    renovation = under_way(unit, staff)
    phone(browser)
    browser_login(browser, live_server, "patrol")
    browser.get(f"{live_server.url}/inspections/{renovation.pk}/patrol/")
    assert fits(browser)
    browser.find_element(By.CSS_SELECTOR, "input[name=item_debris][value=fail]").click()
    browser.find_element(By.NAME, "notes").send_keys("楼道堆放垃圾")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button.primary"))
    inside = (
        rules.slot_at(day_slots(estate, timezone.localdate()), timezone.localtime()) is not None
    )
    if inside:
        patrol = Patrol.objects.get(done_at__isnull=False)
        assert patrol.failed_items == ["debris"]
        assert renovation.rectifications.count() == 1
    else:  # the clock is outside patrol hours: the refusal is on the same page
        assert not Patrol.objects.filter(done_at__isnull=False).exists()
        assert browser.find_elements(By.CSS_SELECTOR, ".errorlist")
