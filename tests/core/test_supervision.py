"""`make run` supervises its children (propserv.supervisor, propserv.launcher): a killed child is
started again, one that keeps dying stops the group with its reason, and Ctrl-C / SIGTERM leaves
nothing behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import psutil
from django.conf import settings

from propserv.supervisor import MAX_RESTARTS, Group
from tests.conftest import wait_for


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_killed_child_is_started_again_and_stop_leaves_nothing(tmp_path):
    said = []
    group = Group(tmp_path, tmp_path / "children.json")
    group.spawn("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"], dict(os.environ))
    first = json.loads((tmp_path / "children.json").read_text())["sleeper"]
    try:
        os.kill(first, signal.SIGKILL)
        assert wait_for(
            lambda: not alive(first) or group.children["sleeper"].proc.poll() is not None
        )
        assert group.restart_dead(said.append) is None
        second = json.loads((tmp_path / "children.json").read_text())["sleeper"]
        assert second != first and alive(second)
        assert said == ["sleeper exited with status -9; starting it again"]
    finally:
        group.stop()
    assert not alive(second)
    assert not (tmp_path / "children.json").exists()


def test_a_child_that_keeps_dying_is_given_up_with_its_name(tmp_path):
    said = []
    group = Group(tmp_path)
    group.spawn("broken", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ))
    try:
        verdict = None
        for _ in range(MAX_RESTARTS + 2):
            group.children["broken"].proc.wait(10)
            verdict = group.restart_dead(said.append)
            if verdict:
                break
        assert verdict == "broken"
        assert said[0] == "broken exited with status 3; starting it again"
        assert said[-1].startswith(f"broken exited {MAX_RESTARTS + 1} times")
    finally:
        group.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_restarts_a_killed_worker_and_stops_whole_on_sigterm(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PROPSERV_VAR_DIR=str(var), PORT=str(_free_port()))
    log = open(tmp_path / "run.log", "w+")  # noqa: SIM115 (read back below)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "propserv.launcher", "run"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    state = var / "children.json"
    try:
        assert wait_for(lambda: state.exists() and "beat" in state.read_text(), 240)
        children = json.loads(state.read_text())
        os.kill(children["worker"], signal.SIGKILL)

        def worker_replaced() -> bool:
            now = json.loads(state.read_text()) if state.exists() else {}
            return now.get("worker", children["worker"]) != children["worker"]

        assert wait_for(worker_replaced, 30)
        now = json.loads(state.read_text())
        assert alive(now["worker"]) and now["web"] == children["web"]
        assert launcher.poll() is None  # the group did not stop
        embedded = json.loads((var / "embedded.json").read_text())["pids"]
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(60)
    log.seek(0)
    output = log.read()
    assert "worker exited with status -9; starting it again" in output
    time.sleep(1)
    leftovers = [pid for pid in [*now.values(), *embedded.values()] if alive(pid)]
    assert leftovers == [], output[-3000:]
