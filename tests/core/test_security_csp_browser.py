"""The Content-Security-Policy (django-csp) allows no inline script, and the pages work under it
in a real Chromium: every page of the header of each role, the login page, the resident form, a
print view and Swagger load with no policy violation, and a print button works by its static
script. Violations are collected by a listener the DevTools protocol adds before any page script
runs (a policy does not apply to it)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import browser_login
from tickets.demo import ensure_reference_data

pytestmark = pytest.mark.browser

COLLECT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + e.sourceFile + ':' + e.lineNumber);
});
"""


def _watch(browser) -> None:
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COLLECT})


def _violations(browser, url: str) -> list[str]:
    browser.get(url)
    browser.execute_script("return document.readyState")
    return [f"{url}: {v}" for v in browser.execute_script("return window.__csp || []")]


@pytest.mark.django_db
def test_the_policy_forbids_inline_script(client, staff):
    client.force_login(staff["frontdesk"])
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert "Content-Security-Policy" in Client().get("/accounts/login/")


def test_pages_load_without_a_policy_violation(browser, live_server, staff, estate, unit):
    ensure_reference_data(estate)
    _watch(browser)
    found = _violations(browser, f"{live_server.url}/accounts/login/")
    found += _violations(browser, f"{live_server.url}/report/{estate.code}/")
    seen = set()
    for role in ("frontdesk", "supervisor", "technician", "finance", "gm"):
        browser.delete_all_cookies()
        browser_login(browser, live_server, role)
        links = [
            a.get_attribute("href")
            for a in browser.find_elements("css selector", "header a[href]")
            if a.get_attribute(
                "href",
            ).startswith(live_server.url)
        ]
        for url in links:
            if url not in seen and "/logout" not in url:
                seen.add(url)
                found += _violations(browser, url)
    found += _violations(browser, f"{live_server.url}/api/docs/")
    assert len(seen) >= 5, seen
    assert found == []


def test_swagger_renders_under_the_policy(browser, live_server, staff):
    _watch(browser)
    browser_login(browser, live_server, "frontdesk")
    assert _violations(browser, f"{live_server.url}/api/docs/") == []
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 15).until(
        lambda d: d.find_elements("css selector", ".swagger-ui .opblock")
    )


def test_a_print_button_works_by_its_static_script(browser, live_server, staff, estate):
    _watch(browser)
    browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.print = function () { window.__printed = (window.__printed || 0) + 1; };"
        },
    )
    browser_login(browser, live_server, "frontdesk")
    browser.get(f"{live_server.url}/keys/labels/")
    button = browser.find_element("css selector", "button[data-print]")
    assert button.get_attribute("onclick") is None
    button.click()
    assert browser.execute_script("return window.__printed") == 1
    assert browser.execute_script("return window.__csp") == []


def test_the_collector_sees_what_the_policy_blocks(browser, live_server):
    """The listener above really reports: an inline handler added to a page is blocked and seen."""
    _watch(browser)
    browser.get(f"{live_server.url}/accounts/login/")
    browser.execute_script(
        "document.body.insertAdjacentHTML('beforeend', "
        '\'<img src="/no-such-image" onerror="window.__ran = 1">\');'
    )
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return window.__csp.length"))
    assert browser.execute_script("return window.__ran") is None
    assert "script-src" in browser.execute_script("return window.__csp[0]")
