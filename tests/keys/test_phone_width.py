"""The key pages the front desk and the patrol guard open on a phone fit a 360 px screen (issue 12,
item 6): the cabinet's list becomes cards, nothing scrolls sideways. Real headless Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keys import services
from tests.conftest import browser_login
from tests.keys.helpers import make_key, make_person

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


@pytest.mark.parametrize("username", ["frontdesk", "patrol"])
def test_key_pages_fit_a_phone(browser, live_server, estate, unit, staff, username):
    now = timezone.now()
    key = make_key(estate, staff["frontdesk"], unit, slot="A-01", when=now - dt.timedelta(hours=3))
    common = make_key(estate, staff["frontdesk"], area="1栋地下室水泵房及消防控制室", slot="B-12")
    person = make_person(estate, staff["frontdesk"], company="上海安居装饰工程有限公司第三分公司")
    loan = services.loan_lend(
        key=key,
        count=2,
        reason="卫生间防水层修补及闭水试验",
        phone=person.phone,
        borrower_person=person,
        actor=staff["frontdesk"],
        at=now - dt.timedelta(hours=2),
    )
    services.loan_return(
        loan=loan, count=2, actor=staff["frontdesk"], at=now - dt.timedelta(hours=1)
    )
    width = phone_sized(browser)
    browser_login(browser, live_server, username)
    pages = {
        "cabinet": "/keys/",
        "cabinet search": "/keys/?q=1502",
        "loan": loan.get_absolute_url(),
        "key": key.get_absolute_url(),
        "common key": common.get_absolute_url(),
        "loans to inspect": "/keys/loans/?awaiting=1",
        "open loans": "/keys/loans/",
    }
    if username == "frontdesk":
        pages["lend"] = f"/keys/{common.pk}/lend/"
        pages["contractors"] = "/keys/contractors/"
        pages["contractor"] = person.contractor.get_absolute_url()
    too_wide = {}
    for name, path in pages.items():
        browser.get(live_server.url + path)
        assert "/accounts/login/" not in browser.current_url, name
        assert browser.execute_script("return !!document.querySelector('main h1')"), name
        extra = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        if extra > 0:
            too_wide[name] = f"{path}: {width + extra}px"
    assert not too_wide, too_wide
    # The cabinet's list is a pile of cards on a phone, not a table.
    browser.get(live_server.url + "/keys/")
    assert (
        browser.execute_script(
            "return getComputedStyle(document.querySelector('table.stack thead')).display"
        )
        == "none"
    )
