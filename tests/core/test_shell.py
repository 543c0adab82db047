import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from propserv.tasks import HEARTBEAT_KEY, heartbeat
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
