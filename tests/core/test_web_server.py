"""The web server as `make run` starts it stays responsive while browsers hold idle connections.

A browser keeps keep-alive and pre-connected sockets open without sending anything. With gunicorn's
sync workers two such sockets froze every request until the worker timeout killed the worker.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import PASSWORD, browser_login, click_and_wait, wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    """The test database as a URL, so a server process sees what a transactional test commits:
    the configured URL with the test database's name in its path."""
    url = urlsplit(settings.DATABASE_URL)
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def web_server(request):
    """gunicorn with propserv.gunicorn_conf and a single worker: the worst case. On the test
    database when the test has one, so a browser can log in."""
    port = _free_port()
    env = {**os.environ, "WEB_WORKERS": "1", "DJANGO_SETTINGS_MODULE": "propserv.settings"}
    if "transactional_db" in request.fixturenames:
        env["DATABASE_URL"] = _test_database_url()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "propserv.wsgi:application",
            "--config",
            "python:propserv.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )

    def listening() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    assert wait_for(listening, 30), "gunicorn did not start"
    yield port
    proc.terminate()
    proc.wait(10)


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def test_four_idle_connections_do_not_hold_the_only_worker(web_server):
    idle = [socket.create_connection(("127.0.0.1", web_server), timeout=5) for _ in range(4)]
    try:
        # Each request must be answered within the client's 10 s timeout, not after gunicorn's
        # 30 s worker timeout (which is what a sync worker held by the idle sockets would need).
        assert [_get(web_server, "/accounts/login/") for _ in range(3)] == [200, 200, 200]
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_left_idle_then_clicking_gets_pages_not_errors(
    transactional_db, web_server, browser, staff, settings
):
    """The browser keeps its idle sockets open for 45 s (longer than gunicorn's 30 s worker
    timeout), then three clicks must each load a real page."""
    from django.conf import global_settings
    from selenium.webdriver.common.by import By

    # The server process hashes with the project's hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    staff["frontdesk"].set_password(PASSWORD)
    staff["frontdesk"].save(update_fields=["password"])
    server = type("Server", (), {"url": f"http://127.0.0.1:{web_server}"})()
    browser_login(browser, server, "frontdesk")
    time.sleep(45)
    for key in ("repairs", "complaints", "callbacks"):
        link = browser.find_element(By.CSS_SELECTOR, f'a[data-nav="{key}"]')
        click_and_wait(browser, link, seconds=20)
        page = browser.page_source
        assert "Internal Server Error" not in page and 'class="topbar"' in page, key
        assert "error-500" not in page, key
