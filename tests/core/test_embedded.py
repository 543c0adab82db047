"""The embedded development services: a real PostgreSQL and a real Redis under a var dir, which
stop without leaving a process behind and find their data again on the next start."""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import psycopg2
import pytest
import redis

from propserv.embedded import EmbeddedServices, port_is_free
from tests.conftest import wait_for

pytestmark = pytest.mark.timeout(180)


def processes_of(services: EmbeddedServices) -> list[psutil.Process]:
    """The postmaster with all its backends, and redis-server (as psutil handles, which notice
    a recycled pid)."""
    procs = []
    for pid in services.pids.values():
        proc = psutil.Process(pid)
        procs += [proc, *proc.children(recursive=True)]
    return procs


def left_running(procs: list[psutil.Process]) -> list[int]:
    """Pids still alive once each has had a moment to finish exiting (pg_ctl returns as soon as
    postmaster.pid is gone, a few instructions before the postmaster itself)."""
    end = time.monotonic() + 15
    while True:
        alive = []
        for proc in procs:
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc.pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.05)


def query(database_url: str, sql: str):
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def stop(services: EmbeddedServices) -> None:
    server = services.pg_server
    services.stop()
    # The package's own exit hook would log to pytest's closed capture stream; stop() already
    # released the handle, so there is nothing left for it to do.
    if server is not None:
        atexit.unregister(server._cleanup)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_start_answers_stop_leaves_nothing_and_data_survives(tmp_path):
    var = tmp_path / "var"
    services = EmbeddedServices(var).start()
    try:
        state = json.loads(services.state_file.read_text())
        assert state["DATABASE_URL"] == services.database_url
        assert state["REDIS_URL"] == services.redis_url
        assert set(state["pids"]) == {"postgres", "redis"}
        assert query(services.database_url, "SELECT current_database()") == [("propserv",)]
        assert query(services.database_url, "SHOW server_version")[0][0].startswith("18.")
        client = redis.Redis.from_url(services.redis_url)
        assert client.ping() is True
        query(services.database_url, "CREATE TABLE kept (note text)")
        query(services.database_url, "INSERT INTO kept VALUES ('昨天的数据')")
        client.set("propserv:test", "kept")
        client.close()
        procs = processes_of(services)
        assert len(procs) >= 3  # postmaster, its background workers, redis-server
        assert all(p.is_running() for p in procs)
    finally:
        stop(services)
    assert not services.state_file.exists()
    assert left_running(procs) == []

    again = EmbeddedServices(var).start()
    try:
        assert query(again.database_url, "SELECT note FROM kept") == [("昨天的数据",)]
        client = redis.Redis.from_url(again.redis_url)
        assert client.get("propserv:test") == b"kept"
        client.close()
        procs = processes_of(again)
    finally:
        stop(again)
    assert left_running(procs) == []
    assert not again.state_file.exists()


def test_start_after_a_crash_left_stale_redis_files(tmp_path):
    var = tmp_path / "var"
    services = EmbeddedServices(var).start()
    try:
        # A crash: Redis killed outright leaves its pid file and socket behind.
        os.kill(services.pids["redis"], signal.SIGKILL)
        services.redis_process.wait()
        pidfile = var / "redis" / "redis.pid"
        pidfile.write_text(str(dead_pid()))
        socket_path = services.redis_url.removeprefix("unix://")
        assert os.path.exists(socket_path)
    finally:
        stop(services)
    services.state_file.write_text("{ not json")  # and a half-written state file

    again = EmbeddedServices(var).start()
    try:
        assert redis.Redis.from_url(again.redis_url).ping() is True
        assert query(again.database_url, "SELECT 1") == [(1,)]
        assert json.loads(again.state_file.read_text())["REDIS_URL"] == again.redis_url
        procs = processes_of(again)
    finally:
        stop(again)
    assert left_running(procs) == []


def test_port_is_free():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_is_free(port) is False
    assert port_is_free(port) is True


def test_revive_starts_a_killed_redis_and_postgres_again_with_the_data(tmp_path):
    services = EmbeddedServices(tmp_path / "var").start()
    procs = []
    try:
        query(services.database_url, "CREATE TABLE kept (note text)")
        query(services.database_url, "INSERT INTO kept VALUES ('崩溃前写入')")
        assert services.revive() == []  # both alive: nothing to do
        urls = services.env()

        os.kill(services.pids["redis"], signal.SIGKILL)
        assert wait_for(lambda: "Redis" in services.revive(), 15)
        assert redis.Redis.from_url(services.redis_url).ping() is True

        os.kill(services.pids["postgres"], signal.SIGKILL)
        assert wait_for(lambda: "PostgreSQL" in services.revive(), 60)
        assert services.env() == urls  # same sockets: the children keep their settings
        assert query(services.database_url, "SELECT note FROM kept") == [("崩溃前写入",)]
        assert json.loads(services.state_file.read_text())["pids"] == services.pids
        procs = processes_of(services)
    finally:
        stop(services)
    assert left_running(procs) == []
