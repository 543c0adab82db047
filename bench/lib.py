"""Shared pieces of the benchmarks: CPU pinning, the server processes, the load generator, stats.

Suites (bench/suite_*.py, and the optional bench/visits_*.py) get a `Context` and return
{"rows": [...table rows...], ...details...}; see bench/README.md for the contract.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
PY = sys.executable
HOST = "127.0.0.1"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def percentile(values, p: float):
    """Nearest-rank percentile (None for no values)."""
    values = sorted(values)
    if not values:
        return None
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def stats(values) -> dict:
    values = sorted(values)
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "max": values[-1] if values else None,
        "mean": sum(values) / len(values) if values else None,
    }


def row(figure: str, value: str, target: str = "", ok: bool | None = None) -> dict:
    """One line of the printed table (and of results/latest.json)."""
    return {"figure": figure, "value": value, "target": target, "ok": ok}


def ms(value) -> str:
    return "–" if value is None else f"{value:.1f} ms"


# --- databases ----------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(admin_url: str, name: str) -> bool:
    """CREATE DATABASE `name` on the server of `admin_url` unless it exists; True if created."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        conn.close()


# --- CPU pinning --------------------------------------------------------------------------------


@dataclass
class Pinning:
    """Server side (gunicorn, Celery, PostgreSQL, Redis) on one core, the load on the other."""

    server: set[int] = field(default_factory=set)
    client: set[int] = field(default_factory=set)
    restore: dict[int, set[int]] = field(default_factory=dict)
    pinned: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def detect(cls, enabled: bool = True) -> Pinning:
        cpus = sorted(os.sched_getaffinity(0))
        if not enabled or len(cpus) < 2:
            return cls()
        return cls(server={cpus[0]}, client={cpus[1]})

    @property
    def active(self) -> bool:
        return bool(self.server)

    def prefix(self, cpus: set[int]) -> list[str]:
        """`taskset -c N` for a command, or nothing when pinning is off."""
        return ["taskset", "-c", ",".join(map(str, sorted(cpus)))] if cpus else []

    def pin_self_to_client(self) -> None:
        if self.client:
            os.sched_setaffinity(0, self.client)

    def pin_tree(self, label: str, pid: int) -> list[int]:
        """Pin `pid`, its threads and its children (like `taskset -a -p` on each); remembered so
        restore() gives them back their CPUs. New children (PostgreSQL backends) inherit it."""
        if not self.server:
            return []
        done = []
        for p in [pid, *_children(pid)]:
            for tid in _tasks(p):
                try:
                    self.restore.setdefault(tid, os.sched_getaffinity(tid))
                    os.sched_setaffinity(tid, self.server)
                    done.append(tid)
                except (ProcessLookupError, PermissionError, OSError):
                    pass
        self.pinned[label] = sorted(set(done))
        return done

    def restore_all(self) -> None:
        for tid, cpus in self.restore.items():
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                os.sched_setaffinity(tid, cpus)
        self.restore.clear()


def _tasks(pid: int) -> list[int]:
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except FileNotFoundError:
        return []


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _children(pid: int) -> list[int]:
    found, frontier = [], [pid]
    procs = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    parents = {p: _ppid(p) for p in procs}
    while frontier:
        parent = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found.extend(kids)
        frontier.extend(kids)
    return found


def postmaster_pid(cursor) -> int | None:
    """The postmaster of the server we are connected to (when it runs on this machine)."""
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]
    parent = _ppid(backend)
    return parent if parent and parent > 1 else None


# --- processes ----------------------------------------------------------------------------------


class Proc:
    """A child in its own session, stopped with its whole process group."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            argv,
            env=env,
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        self.log.close()

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, proc: Proc, timeout: float = 60) -> None:
    """Until the server answers anything on `path` (any status: it is up)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited at start:\n{proc.tail()}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not answer within {timeout:.0f} s:\n{proc.tail()}")


# --- the context every suite gets ---------------------------------------------------------------


@dataclass
class Context:
    args: object  # the parsed command line of run.py
    env: dict  # environment for server processes: DATABASE_URL of the bench database, REDIS_URL
    pinning: Pinning
    log_dir: Path
    data: dict  # what the dataset step made: estates, token, units, counts…
    pidfile: Path | None = None  # our running servers, so a killed run's are stopped next time
    procs: list[Proc] = field(default_factory=list)

    def _record(self) -> None:
        if self.pidfile is not None:
            self.pidfile.write_text(json.dumps([p.pid for p in self.procs]))

    @property
    def quick(self) -> bool:
        return bool(getattr(self.args, "quick", False))

    def spawn(self, name: str, argv: list[str], env: dict | None = None) -> Proc:
        """A server-side process pinned to the server core."""
        proc = Proc(
            name, [*self.pinning.prefix(self.pinning.server), *argv], env or self.env, self.log_dir
        )
        self.procs.append(proc)
        self._record()
        return proc

    def stop(self, proc: Proc) -> None:
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)
        self._record()

    def stop_all(self) -> None:
        for proc in list(self.procs):
            self.stop(proc)

    @contextlib.contextmanager
    def web(self, settings_module: str = "propserv.settings", workers: int = 2):
        """gunicorn as `make run` starts it (propserv.gunicorn_conf: gthread workers) with
        `workers` workers on the server core; yields the port. Until 2026-12 the bench ran sync
        workers: with the open-loop generator's one request per connection the two models queue
        alike, but gthread adds a thread hand-off per request (compare figures across that date
        with care)."""
        port = free_port()
        env = {**self.env, "DJANGO_SETTINGS_MODULE": settings_module}
        proc = self.spawn(
            f"gunicorn-{settings_module.split('.')[0]}-{port}",
            [
                PY,
                "-m",
                "gunicorn",
                "propserv.wsgi:application",
                "--config",
                "python:propserv.gunicorn_conf",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env,
        )
        try:
            wait_http(port, "/healthz", proc)
            yield port
        finally:
            self.stop(proc)

    def settle(self, port: int, limit: float = 60) -> float:
        """Wait until the server has worked off any backlog (a quick answer to /healthz), so one
        measurement does not pay for the last; returns the seconds waited."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            start = time.monotonic()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=limit)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
            except OSError:
                pass
            if time.monotonic() - start < 0.2:
                break
            time.sleep(0.5)
        return time.monotonic() - t0

    def load(self, port: int, rate: float, duration: float, requests: list[dict], **extra) -> dict:
        """Run the open-loop load generator on the client core; its result dict."""
        self.settle(port)
        cfg = {"host": HOST, "port": port, "rate": rate, "duration": duration, "requests": requests}
        cfg.update(extra)
        hard_limit = duration + float(cfg.get("drain", 10)) + 60
        with tempfile.TemporaryFile("w+") as stdin:
            json.dump(cfg, stdin)
            stdin.seek(0)
            done = subprocess.run(
                [*self.pinning.prefix(self.pinning.client), PY, str(BENCH / "loadgen.py")],
                stdin=stdin,
                capture_output=True,
                text=True,
                timeout=hard_limit,
                cwd=REPO,
            )
        if done.returncode != 0:
            raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)
