import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from propserv.tasks import HEARTBEAT_KEY, heartbeat
from propserv.workdays import ensure_year
from tests.conftest import PASSWORD, browser_login


def test_login_page_renders_in_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_home_needs_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_home_lists_only_my_estates(client, staff, estate, other_estate):
    client.login(username="frontdesk", password=PASSWORD)
    body = client.get(reverse("home")).content.decode()
    assert estate.name in body
    assert other_estate.name not in body


def test_language_switch_to_english(client, staff):
    client.login(username="frontdesk", password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "Log out" in body


def test_healthz_reports_database_redis_and_beat(client, db):
    cache.delete(HEARTBEAT_KEY)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is True
    assert response.json()["redis"]["ok"] is True
    assert response.json()["beat"]["ok"] is False
    heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


def test_livez_stays_up_for_the_load_balancer_while_beat_is_down(client, db):
    cache.delete(HEARTBEAT_KEY)  # beat silent: /healthz is 503 for monitoring ...
    assert client.get("/healthz").status_code == 503
    response = client.get("/livez")  # ... but this server still serves requests
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.celery_worker
def test_real_worker_runs_heartbeat_task_over_redis(celery_worker_real):
    cache.delete(HEARTBEAT_KEY)
    heartbeat.delay()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and cache.get(HEARTBEAT_KEY) is None:
        time.sleep(0.1)
    assert cache.get(HEARTBEAT_KEY) is not None


@pytest.mark.browser
def test_browser_logs_in_and_sees_home(browser, live_server, staff, estate):
    browser_login(browser, live_server, "frontdesk")
    assert estate.name in browser.page_source
    assert "前台 " in browser.page_source or "frontdesk" in browser.page_source


@pytest.mark.browser
def test_browser_manager_sees_the_provisional_2027_banner(browser, live_server, staff):
    from selenium.webdriver.common.by import By

    from tests.conftest import click_and_wait

    browser_login(browser, live_server, "project_manager")
    browser.get(f"{live_server.url}/calendar/?year=2027")
    if browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en":
        # Headless Chromium asks for English; the banner is there too, then switch to Chinese.
        assert "This year is provisional" in browser.find_element(By.CSS_SELECTOR, "main").text
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button[value=zh-hans]"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    page_banner = browser.find_element(By.CSS_SELECTOR, "main .banner.warn")
    assert "本年度为暂定" in page_banner.text
    assert not page_banner.find_elements(By.TAG_NAME, "button")  # only admins confirm
    # The site-wide warning is for those who can act on it: not on a manager's every page.
    assert not browser.find_elements(By.CSS_SELECTOR, "body > .banner.warn")
    # Holidays of the provisional year are marked in the month tables.
    october = browser.find_elements(By.CSS_SELECTOR, "table.month")[9]
    first = october.find_element(By.CSS_SELECTOR, "td.day.holiday")
    assert first.text == "1" and first.get_attribute("title") == "国庆节"


def test_site_wide_provisional_calendar_warning_is_for_calendar_admins(client, staff, admin_user):
    ensure_year(2027)
    client.force_login(admin_user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True).content.decode()
    assert "2027" in page and 'href="/calendar/?year=2027"' in page
    client.force_login(staff["project_manager"])  # lands on the dashboard
    assert 'href="/calendar/?year=2027"' not in client.get("/", follow=True).content.decode()


def test_error_pages_are_translated_and_keep_the_header(client, staff):
    client.force_login(staff["frontdesk"])
    missing = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = missing.content.decode()
    assert missing.status_code == 404
    assert 'data-testid="error-404"' in body and "页面不存在" in body
    assert 'class="topbar"' in body and 'href="/"' in body
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This page does not exist" in english


def test_server_error_page_needs_no_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert 'data-testid="error-500"' in response.content.decode()


def test_every_task_beat_sends_exists():
    """A renamed task would leave beat sending a name no worker knows (and nothing happening)."""
    from propserv.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "propserv.sweep_deadlines",
        "propserv.redeliver_notifications",
        "inspections.schedule_patrols",
        "inspections.open_night_check_months",
        "visits.open_common_patrols",
        "tickets.routine_visits",
        "tickets.repair_followups",
        "tickets.callback_tally",
        "fees.bill_due_periods",
        "fees.charge_repairs",
    } <= scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
