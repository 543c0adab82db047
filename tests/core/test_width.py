"""Every page a technician, a patrol guard or a front-desk clerk opens fits a 360 px phone (issue
12, item 6) — across the apps, fees (cash desk, account statement) and renovations included: the
demo data set, each role's pages (those of tests/core/test_vocabulary.py's walk the role may open),
`document.documentElement.scrollWidth <= 360` in a real headless Chromium."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.conftest import browser_login
from tests.core.test_vocabulary import _crawl

pytestmark = pytest.mark.browser

PHONE = 360
PHONE_ROLES = ("technician", "patrol", "frontdesk")
# Pages whose subject must be there for the test to mean anything.
MUST_INCLUDE = {
    "technician": {"/tickets/my-jobs/"},
    "patrol": {"/inspections/patrols/", "/inspections/"},
    "frontdesk": {"/visits/", "/fees/", "/tickets/board/", "/keys/", "/inspections/"},
}


def phone_sized(browser) -> None:
    browser.set_window_size(PHONE, 800)
    inner = browser.execute_script("return window.innerWidth")
    if inner != PHONE:
        browser.set_window_size(PHONE + (PHONE - inner), 800)
    assert browser.execute_script("return window.innerWidth") == PHONE


def too_wide(browser) -> str:
    """What sticks out, to say so when the test fails."""
    return browser.execute_script(
        """
        const w = window.innerWidth; const out = [];
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.right > w + 1) out.push(el.tagName + '.' + el.getAttribute('class') + ' ' + Math.round(r.right));
        }
        return out.slice(0, 6).join('; ');
        """
    )


@pytest.mark.django_db(transaction=True)
def test_every_phone_page_fits_360_px(browser, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PHONE_ROLES)}
    phone_sized(browser)
    wide, visited = [], 0
    for role in PHONE_ROLES:
        client = Client()
        client.force_login(users[role])
        pages = sorted(_crawl(client, superuser=False))
        assert MUST_INCLUDE[role] <= set(pages), role
        assert any(p.startswith("/fees/units/") for p in pages) or role != "frontdesk"
        browser.delete_all_cookies()
        browser_login(browser, live_server, role, settings.DEMO_PASSWORD)
        for url in pages:
            browser.get(live_server.url + url)
            visited += 1
            width = browser.execute_script("return document.documentElement.scrollWidth")
            if width > PHONE:
                wide.append(f"{role} {url}: {width} px ({too_wide(browser)})")
    print(f"width: {visited} page views at {PHONE} px")  # noqa: T201
    assert visited > 40
    assert wide == [], "\n".join(wide)
