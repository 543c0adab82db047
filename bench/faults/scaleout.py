"""`make scaleout`: the scale-out run (bench/README.md, "Scale-out run"; docs/deploy.md,
"Several machines").

    python -m bench.faults.scaleout [--quick] [--web 3] [--workers 3] [--beats 2] [--json=PATH]

One embedded PostgreSQL and one Redis (the fault suite's stack, a temporary var dir) and the mail
sink of the fault suite; then `python -m propserv.launcher run --web 3 --workers 3 --beats 2`
against them: three gunicorn servers on one port (SO_REUSEPORT), three Celery workers and two
beats, supervised by the launcher. For 5 minutes (`--quick`: 1) a mixed API load: repair creates
(some urgent and backdated so that their arrival deadlines fall due during the run), complaint
creates, reception entries, key loans, list requests, and the key race (20 loans of one key at
once: exactly 1 is lent, 19 answered 409). Then: every deadline that fell due flagged exactly once,
every notification mailed exactly once, no 5xx, the key race 1 of 20 every round. Prints the table
and writes it as JSON (default bench/results/scaleout.json, or scaleout-quick.json). Exit status 1
when a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.faults.load import Answer, Client, summary
from bench.faults.mail import MailSink
from bench.faults.stack import HOST, PY, REPO, Stack, free_port, say

TAG = "so"
RACE = 20


# --- the group under test: the launcher itself ----------------------------------------------------


def start_launcher(stack: Stack, scale: argparse.Namespace) -> subprocess.Popen:
    """`launcher run --web N --workers N --beats N` on the stack's PostgreSQL and Redis (it
    starts no services of its own when both URLs are given)."""
    stack.port = free_port()
    env = {
        **stack.env,
        "PORT": str(stack.port),
        "HOST": HOST,
        "WEB_WORKERS": "1",  # each of the N servers one gunicorn worker (8 threads): a 2-core box
        "WORKER_CONCURRENCY": "2",
    }
    log = open(stack.var_dir / "launcher.log", "ab")  # noqa: SIM115 - kept for the child
    proc = subprocess.Popen(
        [PY, "-m", "propserv.launcher", "run"]
        + [f"--web={scale.web}", f"--workers={scale.workers}", f"--beats={scale.beats}"],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    children = stack.var_dir / "children.json"
    want = scale.web + scale.workers + scale.beats
    end = time.monotonic() + 300  # prepare_run migrates (a no-op here) and seeds the demo
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the launcher exited; see {stack.var_dir / 'launcher.log'}")
        try:
            spawned = len(json.loads(children.read_text())) == want
        except (OSError, ValueError):
            spawned = False
        if spawned and get(stack.port, "/healthz")[0] == 200:  # database, Redis, beat heartbeat
            return proc
        time.sleep(0.5)
    stop_launcher(proc)
    raise RuntimeError(f"the group did not come up; see {stack.var_dir / 'launcher.log'}")


def stop_launcher(proc: subprocess.Popen) -> None:
    """SIGTERM: the launcher stops its children (Ctrl-C's path); SIGKILL only if it hangs."""
    try:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass


def children_cpu(var_dir: Path) -> dict[str, float]:
    """CPU seconds of each child's whole tree: every web server and worker did its share."""
    import psutil

    out = {}
    for name, pid in json.loads((var_dir / "children.json").read_text()).items():
        try:
            procs = [psutil.Process(pid)]
            procs += procs[0].children(recursive=True)
            out[name] = round(sum(sum(p.cpu_times()[:2]) for p in procs), 1)
        except psutil.Error:
            out[name] = None
    return out


# --- requests --------------------------------------------------------------------------------------


def get(port: int, path: str, token: str = "") -> tuple[int | None, dict | None]:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.request("GET", path, headers={"Authorization": f"Token {token}"} if token else {})
        response = conn.getresponse()
        raw = response.read()
        conn.close()
    except (OSError, http.client.HTTPException):
        return None, None
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, None


class Mixed(Client):
    """The fault suite's client (repairs, complaints, key loans with Idempotency-Keys) plus the
    other requests of the mix: reception entries, urgent backdated repairs, lists, the key race."""

    def call(self, kind: str, method: str, path: str, body: dict | None, key: str = "") -> Answer:
        started = time.time()
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            answer = Answer(kind, key, None, error=exc.__class__.__name__, at=started)
        else:
            answer = Answer(kind, key, response.status, at=started)
            try:
                answer.data = json.loads(raw)
                answer.json = True
            except ValueError:
                answer.error = raw[:80].decode("utf-8", "replace")
        answer.seconds = time.time() - started
        with self.lock:
            self.answers.append(answer)
        return answer

    def next_key(self, kind: str) -> str:
        with self.lock:
            self.n += 1
            return f"{self.tag}-{kind}-{self.n}"

    def visit(self) -> Answer:
        key = self.next_key("visit")
        body = {
            "estate": self.estate,
            "channel": "phone",
            "category": "other",
            "summary": f"{self.tag} visit {key}",
            "unit": random.choice(self.unit_codes),
        }
        return self.call("visit", "POST", "/api/v1/visits/", body, key)

    def urgent(self, due: dt.datetime, arrival: dt.timedelta) -> Answer:
        """A gas leak received `arrival` before `due`: its arrival deadline falls due at `due`."""
        key = self.next_key("urgent")
        body = {
            "unit": random.choice(self.unit_codes),
            "category": "gas",
            "description": f"{self.tag} urgent {key}",
            "channel": "phone",
            "received_at": (due - arrival).isoformat(),
        }
        answer = self.call("urgent", "POST", "/api/v1/repairs/", body, key)
        if answer.status == 201:
            self.urgent_ids.append(answer.data["id"])
        return answer

    def list(self) -> Answer:
        path = random.choice(LISTS)
        return self.call("list", "GET", path, None)

    def key_race(self, key_id: int) -> Counter:
        """RACE loans of one key released at the same instant, each with its own
        Idempotency-Key (different clients): how each was answered."""
        barrier = threading.Barrier(RACE)
        statuses: list = []

        def one(i: int) -> None:
            body = {
                "key": key_id,
                "borrower_staff": self.technician_id,
                "phone": "13700000000",
                "count": 1,
                "reason": f"{self.tag} race {self.tag}-race-{key_id}-{i}",
            }
            barrier.wait()
            key = f"{self.tag}-race-{key_id}-{i}"
            answer = self.call("race", "POST", "/api/v1/key-loans/", body, key)
            statuses.append(answer.status)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(RACE)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return Counter(statuses)


LISTS = [
    "/api/v1/repairs/",
    "/api/v1/repairs/?status=received",
    "/api/v1/complaints/",
    "/api/v1/visits/",
    "/api/v1/key-loans/",
    "/api/v1/callbacks/",
]
# Per ten requests of the mix: what each is.
MIX = [
    "repair",
    "complaint",
    "visit",
    "list",
    "list",
    "repair",
    "key-loan",
    "list",
    "visit",
    "list",
]


def run_load(client: Mixed, seed, seconds: float, rate: float, urgent: int, races: int) -> list:
    """Open loop at `rate` requests/s for `seconds`; `urgent` backdated gas repairs spread over
    the run, falling due 10-40 s after each is created; `races` key races spread over the run."""
    t0 = time.monotonic()
    total = int(rate * seconds)
    urgent_at = {int(total * (i + 0.5) / urgent) for i in range(urgent)}
    race_at = {int(total * (i + 0.7) / races): seed.key_ids.pop() for i in range(races)}
    rounds = []
    with ThreadPoolExecutor(48) as pool:
        for i in range(total):
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if i in race_at:
                rounds.append(pool.submit(client.key_race, race_at[i]))
            if i in urgent_at:
                lead = min(10 + random.random() * 30, max(3, seconds - i / rate - 8))
                due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead)
                pool.submit(client.urgent, due, seed.arrival)
                continue
            kind = MIX[i % len(MIX)]
            if kind == "visit":
                pool.submit(client.visit)
            elif kind == "list":
                pool.submit(client.list)
            else:
                pool.submit(client.send, kind)
    return [r.result() for r in rounds]


# --- the run ---------------------------------------------------------------------------------------


def settle(sink: MailSink, estate, start, urgent_ids, seconds: float = 120) -> None:
    """Wait (bounded) until every due deadline is flagged and every notification mailed."""
    from bench.faults import data
    from bench.faults.scaleout_checks import deadline_checks
    from bench.faults.scenarios import wait_until

    wait_until(lambda: deadline_checks(estate, start, urgent_ids)["never_flagged"] == 0, seconds)
    wait_until(lambda: data.all_delivered(start, sink.counts()), seconds, step=0.5)
    time.sleep(3)  # a duplicate would arrive now


def measure(args, stack: Stack, sink: MailSink, seed) -> dict:
    from django.utils import timezone

    from bench.faults import data
    from bench.faults.scaleout_checks import create_checks, deadline_checks

    seconds = args.seconds
    units = [data.unit_code(next(seed.units)) for _ in range(400)]
    launcher = start_launcher(stack, args)
    client = Mixed(stack.port, seed.token, TAG, units, seed.key_ids, seed.technician_id)
    client.estate, client.urgent_ids = seed.estate.code, []
    pids_before = json.loads((stack.var_dir / "children.json").read_text())
    say(f"group up on port {stack.port}: {', '.join(pids_before)}; load for {seconds} s")
    cpu_before = children_cpu(stack.var_dir)
    start = timezone.now()
    try:
        rounds = run_load(
            client,
            seed,
            seconds,
            args.rate,
            urgent=max(4, int(seconds / 5)),
            races=3 if args.quick else 6,
        )
        say("load done; waiting for the sweeps and the mail")
        settle(sink, seed.estate, start, client.urgent_ids)
        deadlines = deadline_checks(seed.estate, start, client.urgent_ids)  # workers still up
        cpu_after = children_cpu(stack.var_dir)
        cpu = {k: round((v or 0) - (cpu_before.get(k) or 0), 1) for k, v in cpu_after.items()}
        pids_after = json.loads((stack.var_dir / "children.json").read_text())
    finally:
        stop_launcher(launcher)
    end = timezone.now()
    answers = client.answers
    race = [a for a in answers if a.kind == "race"]
    others = [a for a in answers if a.kind != "race"]
    checks = create_checks(client, seed.frontdesk)
    one = sum(1 for r in rounds if r.get(201) == 1 and r.get(409) == RACE - 1)
    row = {
        "scale": {"web": args.web, "workers": args.workers, "beats": args.beats},
        "seconds": seconds,
        "rate_per_s": args.rate,
        "load": summary(answers),
        "by_kind": {k: summary([a for a in answers if a.kind == k]) for k in sorted(
            {a.kind for a in answers})},
        "server_errors": sum(1 for a in answers if a.status is None or a.status >= 500),
        "client_errors": sum(1 for a in others if a.status and 400 <= a.status < 500),
        "lost": checks["lost"] + checks["visits_lost"],
        "duplicated": checks["duplicated"],
        "api": checks,
        "deadlines": deadlines,
        "notifications": data.notification_report(start, end, sink.counts(), sink.resent()),
        "key_race": {
            "rounds": len(rounds),
            "one_of_twenty": one,
            "answers": [dict(r) for r in rounds],
            "race_requests": summary(race),
        },
        "children_cpu_s": cpu,
        "web_serving": sum(1 for k, v in cpu.items() if k.startswith("web") and v > 0.5),
        "restarts": sum(1 for k in pids_before if pids_before[k] != pids_after.get(k)),
        "urgent_created": len(client.urgent_ids),
    }  # fmt: skip
    return row


def stop(stack: Stack, sink: MailSink, logs: Path) -> None:
    """The stack's services down; the logs beside the JSON, `<name>-logs/` (the fault suite's
    own `Stack.stop` would replace faults-logs)."""
    services, stack.services = stack.services, None
    if services is not None:
        services.stop()
    sink.close()
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    for log in stack.var_dir.glob("*.log"):
        shutil.copy(log, logs / log.name)
    shutil.rmtree(stack.var_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 minute of load instead of 5")
    parser.add_argument("--seconds", type=int, default=0, help="load duration (overrides)")
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--web", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--beats", type=int, default=2)
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    name = "scaleout-quick.json" if args.quick else "scaleout.json"
    path = Path(args.json or REPO / "bench" / "results" / name)

    t_start = time.monotonic()
    sink = MailSink()
    stack = Stack(mail_port=sink.port)
    try:
        say(f"starting PostgreSQL and Redis in {stack.var_dir}")
        stack.start_services()
        import django

        django.setup()
        from bench.faults import data
        from bench.faults.scaleout_checks import table, verdicts

        seconds = args.seconds or (60 if args.quick else 300)
        args.seconds = seconds
        seed = data.seed(keys=int(seconds * args.rate / len(MIX)) + 30)  # a key per loan
        row = measure(args, stack, sink, seed)
    finally:
        stop(stack, sink, path.with_name(f"{path.stem}-logs"))
    row["total_seconds"] = round(time.monotonic() - t_start, 1)
    checks = verdicts(row)
    row["checks"] = [{"check": c, "expected": e, "measured": m, "ok": ok} for c, e, m, ok in checks]
    print(table(checks), flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row, indent=2, ensure_ascii=False, default=str))
    failed = [c for c, _e, _m, ok in checks if not ok]
    say(f"{row['total_seconds']:.0f} s in all; written to {path}")
    if failed:
        say(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
