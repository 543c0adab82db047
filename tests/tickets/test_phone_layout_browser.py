"""The tickets pages on a 360 px phone (issue 12, item 6): nothing wider than the screen — lists
become cards — for the front desk and the technician, in a real headless Chromium."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login
from tests.tickets.complaints.conftest import handled
from tickets.models import Callback
from tickets.services import repairs as services

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def phone_viewport(browser, width: int = PHONE_WIDTH) -> None:
    """Headless Chrome's window includes no chrome but may differ from the viewport: size the
    window until window.innerWidth is the phone's width."""
    browser.set_window_size(width, 800)
    inner = browser.execute_script("return window.innerWidth;")
    if inner != width:
        browser.set_window_size(width + (width - inner), 800)
    assert browser.execute_script("return window.innerWidth;") == width


def overflow(browser) -> tuple[int, int]:
    return browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )


def widest(browser) -> str:
    """What sticks out, to say so when the test fails."""
    return browser.execute_script(
        """
        const w = window.innerWidth; const out = [];
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.right > w + 1) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
        }
        return out.slice(0, 8).join('; ');
        """
    )


@pytest.fixture
def busy_estate(estate, unit, categories, staff, make_complaint):
    """A long-named open repair dispatched to the technician, one completed with its callback
    due, and a handled complaint with its callback: every list has rows."""
    long_text = "厨房水管爆裂，水流不止，楼下天花板已经开始滴水，请尽快派人处理" * 2
    open_repair = services.repair_create(
        estate=estate,
        unit=unit,
        location="厨房水槽下方的进水管接头处",
        category=categories["water"],
        description=long_text,
        reporter_name="王先生",
        reporter_phone="13912342929",
        actor=staff["frontdesk"],
    )
    services.repair_dispatch(
        repair_id=open_repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    waiting = services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["drainage"],
        description=long_text,
        reporter_phone="13800001111",
        actor=staff["frontdesk"],
    )  # not dispatched: the board offers the dispatch form in its row
    done = services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["lighting"],
        description="楼道灯不亮",
        actor=staff["frontdesk"],
    )
    tech = staff["technician"]
    services.repair_dispatch(repair_id=done.pk, technician=tech, actor=staff["frontdesk"])
    services.repair_mark_arrived(repair_id=done.pk, actor=tech)
    services.repair_start(repair_id=done.pk, actor=tech)
    services.repair_complete(repair_id=done.pk, actor=tech, labour_minutes=5, signed_by="李")
    complaint = handled(make_complaint, staff, "important", category="staff")
    assert Callback.objects.filter(complaint=complaint).exists()
    return {"open": open_repair, "waiting": waiting, "done": done}


@pytest.mark.parametrize("username", ["frontdesk", "technician"])
def test_no_tickets_page_is_wider_than_a_phone(browser, live_server, busy_estate, username):
    browser_login(browser, live_server, username)
    phone_viewport(browser)
    pages = [
        "/tickets/board/",
        "/tickets/my-jobs/",
        busy_estate["open"].get_absolute_url(),
        busy_estate["waiting"].get_absolute_url(),
        "/tickets/callbacks/",
        "/tickets/complaints/",
    ]
    too_wide = {}
    for path in pages:
        browser.get(f"{live_server.url}{path}")
        scroll, inner = overflow(browser)
        assert inner == PHONE_WIDTH
        if scroll > inner:
            too_wide[path] = (scroll, widest(browser))
    assert too_wide == {}
    # The board's rows are cards at this width (not a squeezed table).
    browser.get(f"{live_server.url}/tickets/board/")
    display = browser.execute_script(
        "return getComputedStyle(document.querySelector('table.board tbody tr')).display;"
    )
    assert display == "block"
