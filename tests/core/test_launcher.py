"""`make run` / `make test` refuse bad set-ups with one clear sentence and start nothing."""

import os
import socket
import subprocess
import sys

from django.conf import settings

from propserv import launcher


def launch(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "propserv.launcher", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_port_in_use_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = launch("run", PORT=str(port), PROPSERV_VAR_DIR=str(tmp_path / "var"))
    assert result.returncode == 2
    assert f"port {port}" in result.stdout and "already in use" in result.stdout
    assert not (tmp_path / "var").exists()


def test_missing_configured_database_is_a_clear_error(tmp_path):
    result = launch(
        "test",
        DATABASE_URL=f"postgresql://postgres:@/nosuchdb?host={tmp_path}",
        REDIS_URL=f"unix://{tmp_path}/none.sock",
    )
    assert result.returncode == 2
    assert "cannot use DATABASE_URL" in result.stdout


def test_only_one_of_the_urls_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "propserv.launcher", "test"],
        cwd=settings.BASE_DIR,
        env={**env, "DATABASE_URL": "postgresql://x@/y", "PROPSERV_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "set both DATABASE_URL and REDIS_URL" in result.stdout


def test_scale_flags_are_checked_before_anything_starts(tmp_path):
    result = launch("run", "--web", "0", PROPSERV_VAR_DIR=str(tmp_path / "var"))
    assert result.returncode == 2
    assert "--web" in result.stderr
    assert not (tmp_path / "var").exists()


def test_scale_flags_name_each_child_and_share_one_port():

    scale = launcher.parse_scale(["--web", "3", "--workers", "3", "--beats", "2"])
    assert (scale.web, scale.workers, scale.beats) == (3, 3, 2)
    webs = [launcher.web_argv("127.0.0.1", 8123, i) for i in range(3)]
    assert all("--reuse-port" in argv and "127.0.0.1:8123" in argv for argv in webs)
    assert len({argv[-1] for argv in webs}) == 3  # one control socket each
    assert {launcher.worker_argv(i)[-1] for i in range(3)} == {
        "worker1@%h",
        "worker2@%h",
        "worker3@%h",
    }
    assert len({launcher.beat_argv(i)[-1] for i in range(2)}) == 2  # one schedule file each
