"""`make bench`: the speed figures of issue 3 (and of any bench/visits_*.py present).

    make bench                                   # everything, on 1,000,000 repairs
    make bench BENCH_ARGS=--only=sweep           # one suite (sweep, list, create, breach, visits)
    make bench BENCH_ARGS="--quick"              # small and short, for development

The launcher starts PostgreSQL and Redis (of ./var, or of PROPSERV_VAR_DIR) and runs this with
DATABASE_URL / REDIS_URL set. The benchmarks use a database of their own on that server
(`propserv_bench`), created and loaded on the first run and reused afterwards; the development
database is never touched. See bench/README.md for the set-up and what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import lib  # noqa: E402
from bench.lib import say  # noqa: E402

SUITES = ["sweep", "list", "create", "breach", "diag", "fees", "dashboard"]
FULL_REPAIRS = 1_000_000
QUICK_REPAIRS = 20_000


class BenchTimeout(Exception):
    pass


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    p.add_argument(
        "--only",
        default="",
        help="comma-separated suites to run: sweep, list, create, breach, diag, fees, dashboard, "
        "visits "
        "(all bench/visits_*.py) or one visits_* module name",
    )
    p.add_argument("--skip", default="", help="comma-separated suites to leave out")
    p.add_argument("--quick", action="store_true", help="20,000 repairs and short runs")
    p.add_argument("--repairs", type=int, help="repairs in the bench database (default 1,000,000)")
    p.add_argument("--db-name", help="bench database name (default propserv_bench[_N])")
    p.add_argument("--no-pin", action="store_true", help="do not pin to CPU cores")
    p.add_argument("--no-bare", action="store_true", help="skip the bare DRF references")
    p.add_argument(
        "--bare-settings",
        default="bench.bare_settings",
        help="settings of the bare DRF references: bench.bare_settings (the app's middleware and "
        "authentication) or bench.bare_minimal_settings (DRF's own token authentication, no "
        "middleware but CommonMiddleware: what this machine does at best)",
    )
    p.add_argument(
        "--max-minutes", type=float, default=45, help="hard stop for the whole run (minutes)"
    )
    p.add_argument("--out", default=str(REPO / "bench" / "results" / "latest.json"))
    return p.parse_args(argv)


def selected(args: argparse.Namespace, visits: list[str]) -> list[str]:
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    names = [*SUITES, *visits]
    if only:
        wanted = set()
        for item in only:
            if item == "visits":
                wanted.update(visits)
            elif item in names:
                wanted.add(item)
            else:
                raise SystemExit(f"unknown suite {item!r}; choose from {', '.join(names)}")
        names = [n for n in names if n in wanted]
    if "visits" in skip:
        skip.update(visits)
    return [n for n in names if n not in skip]


def watch_parent() -> None:
    """If whoever started us (the launcher) goes away, stop cleanly: our servers must not outlive
    the database they use."""
    parent = os.getppid()

    def loop():
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=loop, daemon=True).start()


def kill_leftovers(pidfile: Path) -> None:
    """Process groups a killed earlier run of ours left behind (by their recorded ids only)."""
    if not pidfile.exists():
        return
    with contextlib.suppress(ValueError, OSError):
        for pid in json.loads(pidfile.read_text()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"gunicorn" in cmdline or b"celery" in cmdline:
                    say(f"stopping process group {pid} left by an earlier run")
                    os.killpg(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)


def print_table(results: dict) -> None:
    rows = []
    for name, result in results["suites"].items():
        if "error" in result:
            rows.append({"figure": f"{name}: FAILED", "value": result["error"], "target": ""})
        rows.extend(result.get("rows", []))
    width = max([len(r["figure"]) for r in rows] + [10])
    vwidth = max([len(str(r["value"])) for r in rows] + [5])
    print()
    print(f"{'figure':<{width}}  {'value':<{vwidth}}  target")
    print(f"{'-' * width}  {'-' * vwidth}  {'-' * 20}")
    for r in rows:
        mark = {True: "  ok", False: "  MISSED", None: ""}[r.get("ok")]
        print(f"{r['figure']:<{width}}  {str(r['value']):<{vwidth}}  {r.get('target', '')}{mark}")
    print()


def git_commit() -> str:
    with contextlib.suppress(Exception):
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=REPO,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    return ""


def main(argv: list[str]) -> int:
    args = parse(argv)
    base_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not base_url or not redis_url:
        say("DATABASE_URL and REDIS_URL are not set: run this through `make bench`")
        return 2
    repairs = args.repairs or (QUICK_REPAIRS if args.quick else FULL_REPAIRS)
    db_name = args.db_name or (
        "propserv_bench" if repairs == FULL_REPAIRS else f"propserv_bench_{repairs}"
    )
    if db_name == lib.database_name(base_url):
        say(f"refusing to benchmark in the working database {db_name!r}")
        return 2
    visits = sorted(p.stem for p in (REPO / "bench").glob("visits_*.py"))
    names = selected(args, visits)
    results_dir = Path(args.out).parent
    log_dir = results_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    pidfile = log_dir / "pids.json"
    kill_leftovers(pidfile)

    def on_term(*a):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)

    def on_alarm(*a):
        raise BenchTimeout(f"the run took longer than --max-minutes={args.max_minutes:g}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.max_minutes * 60))
    watch_parent()

    pinning = lib.Pinning.detect(enabled=not args.no_pin)
    pinning.pin_self_to_client()
    t_start = time.monotonic()

    created = lib.ensure_database(base_url, db_name)
    bench_url = lib.with_database(base_url, db_name)
    say(f"bench database {db_name} {'created' if created else 'found'}; {repairs:,} repairs")
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "propserv.settings",
        # Notifications still go through the e-mail channel; the messages are built, not sent.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    }
    os.environ.update(env)
    subprocess.run(
        [lib.PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=REPO, check=True
    )

    import django

    django.setup()
    import redis
    from django.db import connection

    from bench import dataset

    with connection.cursor() as cur:
        postmaster = lib.postmaster_pid(cur)
    if postmaster:
        pinning.pin_tree("postgresql", postmaster)
    with contextlib.suppress(Exception):
        pinning.pin_tree("redis", int(redis.Redis.from_url(redis_url).info()["process_id"]))
    if pinning.active:
        say(
            f"server side on CPU {sorted(pinning.server)} (PostgreSQL pid {postmaster}: "
            f"{len(pinning.pinned.get('postgresql', []))} processes pinned, Redis too), "
            f"load generator on CPU {sorted(pinning.client)}"
        )
    else:
        say("pinning is off (one CPU only, or --no-pin): figures are not comparable")

    results: dict = {
        "meta": {
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": "make bench BENCH_ARGS=" + json.dumps(" ".join(argv)),
            "git": git_commit(),
            "host": platform.node(),
            "cpus": os.cpu_count(),
            "loadavg_at_start": os.getloadavg(),
            "python": platform.python_version(),
            "database": db_name,
            "pinning": {
                "server_cpus": sorted(pinning.server),
                "client_cpus": sorted(pinning.client),
                "pinned_pids": pinning.pinned,
            },
        },
        "suites": {},
    }
    ctx = None
    code = 0
    try:
        data = dataset.ensure(repairs)
        base_max_id = data["load"]["base_max_id"]
        cleaned = dataset.quiesce(base_max_id)
        if any(cleaned.values()):
            say(f"closed out what earlier runs left: {cleaned}")
        results["meta"]["dataset"] = {**dataset.counts(), "load": data["load"]}
        say(f"dataset: {results['meta']['dataset']}")
        ctx = lib.Context(
            args=args, env=env, pinning=pinning, log_dir=log_dir, data=data, pidfile=pidfile
        )
        for name in names:
            say(f"--- {name} ---")
            t0 = time.monotonic()
            try:
                if name in SUITES:
                    module = importlib.import_module(f"bench.suite_{name}")
                    result = module.run(ctx)
                else:
                    result = run_visits(ctx, name)
            except (KeyboardInterrupt, BenchTimeout):
                raise
            except Exception as exc:
                traceback.print_exc()
                result = {"error": f"{exc.__class__.__name__}: {exc}"}
                code = 1
            finally:
                ctx.stop_all()
                dataset.quiesce(base_max_id)
            result["seconds"] = round(time.monotonic() - t0, 1)
            results["suites"][name] = result
            say(f"{name} done in {result['seconds']:.0f} s")
    except (KeyboardInterrupt, BenchTimeout) as exc:
        say(f"stopped: {exc or 'interrupted'}")
        results["meta"]["stopped"] = str(exc) or "interrupted"
        code = 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        signal.alarm(0)
        if ctx is not None:
            ctx.stop_all()
        pinning.restore_all()
        pidfile.unlink(missing_ok=True)
    results["meta"]["seconds"] = round(time.monotonic() - t_start, 1)
    results["meta"]["loadavg_at_end"] = os.getloadavg()
    print_table(results)
    out = Path(args.out)
    if out.exists() and not results["suites"]:
        say("nothing ran; results file left as it was")
        return code
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    say(f"results written to {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return code


def run_visits(ctx: lib.Context, name: str) -> dict:
    """An optional bench/visits_*.py: `run(ctx) -> dict` when it has one, else run as a script
    (with the bench DATABASE_URL) and report its exit status and output."""
    module = importlib.import_module(f"bench.{name}")
    if hasattr(module, "run"):
        return module.run(ctx)
    done = subprocess.run(
        [lib.PY, str(REPO / "bench" / f"{name}.py")],
        env=ctx.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=15 * 60,
    )
    result = {"returncode": done.returncode, "output": done.stdout[-4000:]}
    if done.returncode:
        result["error"] = f"exit status {done.returncode}: {done.stderr[-1000:]}"
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
