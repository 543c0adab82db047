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

import pytest
from django.conf import settings

from tests.conftest import wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def web_server():
    """gunicorn with propserv.gunicorn_conf and a single worker: the worst case."""
    port = _free_port()
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
        env={**os.environ, "WEB_WORKERS": "1", "DJANGO_SETTINGS_MODULE": "propserv.settings"},
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
