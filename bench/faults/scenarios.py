"""The six fault scenarios. Each returns one row of the table (see bench/README.md, "Faults"):
requests sent/failed, records lost, deadlines never flagged, duplicate escalations, duplicate
notifications and mails, and the time from recovery to the first breach flagged."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import threading
import time
from dataclasses import dataclass

import psycopg2
from django.db import close_old_connections
from django.utils import timezone

from bench.faults import data
from bench.faults.load import Client, summary
from bench.faults.mail import MailSink
from bench.faults.stack import HOST, Stack, kill_group, say

ALL_KINDS = ["repair", "complaint", "key-loan"]
TICKETS = ["repair", "complaint"]


@dataclass
class Ctx:
    stack: Stack
    sink: MailSink
    seed: data.Seed
    quick: bool

    def size(self, full, quick):
        return quick if self.quick else full

    def client(self, tag: str) -> Client:
        units = [data.unit_code(next(self.seed.units)) for _ in range(40)]
        return Client(
            self.stack.port, self.seed.token, tag, units, self.seed.key_ids, self.seed.technician_id
        )


def wait_until(predicate, seconds: float, step: float = 0.25) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def soon(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def settle(ctx: Ctx, start: dt.datetime, deadline_ids: list[int], seconds: float = 90) -> None:
    """Wait (bounded) until every due deadline is flagged and every notification is mailed."""
    wait_until(lambda: data.deadline_report(deadline_ids)["never_flagged"] == 0, seconds)
    wait_until(lambda: data.all_delivered(start, ctx.sink.counts()), seconds, step=0.5)
    time.sleep(1)  # a duplicate would arrive now


def finish(ctx, name, start, deadline_ids, recovered_at=None, load=None, lost=0, **extra) -> dict:
    end = timezone.now()
    crashes = [c for c in ctx.stack.crashes if c["at"] >= start.timestamp()]
    deadlines = data.deadline_report(deadline_ids, recovered_at)
    notes = data.notification_report(start, end, ctx.sink.counts(), ctx.sink.resent())
    row = {
        "scenario": name,
        "sent": load["sent"] if load else 0,
        "failed": load["failed"] if load else 0,
        "lost": lost,
        "never_flagged": deadlines["never_flagged"],
        "duplicate_escalations": deadlines["duplicate_escalations"],
        "duplicate_notifications": notes["duplicate_notifications"],
        "duplicate_mails": notes["duplicate_mails"],
        "mails_missing": notes["mails_missing"],
        "resent_mails": notes["resent_same_message_id"],
        "recovery_to_first_breach_s": deadlines["recovery_to_first_breach_s"],
        "deadlines": deadlines,
        "notifications": notes,
        "load": load,
        "crashed_children": crashes,
        **extra,
    }
    say(
        f"{name}: sent {row['sent']} failed {row['failed']} lost {lost} "
        f"never flagged {row['never_flagged']} dup esc {row['duplicate_escalations']} "
        f"dup notif {row['duplicate_notifications']} dup mails {row['duplicate_mails']} "
        f"missing mails {row['mails_missing']} recovery→breach {row['recovery_to_first_breach_s']}"
        f" crashed children {len(crashes)}"
    )
    return row


def api_checks(client: Client, user) -> dict:
    """Lost (answered 2xx, no record), duplicated (a key with two records), half-written (an
    error answered for a key that has a record or a claim, a repair without its deadlines)."""
    records = data.records_by_tag(client.tag)
    have = {key: n for counter in records.values() for key, n in counter.items()}
    ok = {a.key for a in client.answers if a.status and a.status < 300}
    answered_errors = [a.key for a in client.answers if a.status and a.status >= 300]
    dropped = [a.key for a in client.answers if a.status is None]
    claims = data.claimed_keys(user, answered_errors + dropped)
    return {
        "lost": sum(1 for key in ok if key not in have),
        "duplicated": sum(n - 1 for n in have.values() if n > 1),
        "error_with_record": sum(1 for k in answered_errors if k in have or k in claims),
        "dropped_but_committed": sum(1 for k in dropped if k in have),
        "half_written_repairs": data.half_written(client.tag),
    }


# --- 1. the worker SIGKILLed mid-sweep ----------------------------------------------------------


def sweep_in_progress(dsn: str) -> bool:
    """A transaction holds the escalation table's insert lock: a sweep is writing right now."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'propserv_deadlineescalation' AND l.mode = 'RowExclusiveLock' "
            "AND l.pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0] > 0


def worker_killed_mid_sweep(ctx: Ctx) -> dict:
    n = ctx.size(200, 60)
    start = timezone.now()
    # All due at one moment, a few seconds after the last is created.
    due = soon(n * 0.08 + 8)
    ids = data.due_repairs(ctx.seed, "s1", [due] * n)
    settle_warnings = due.timestamp() - time.time() - 1
    if settle_warnings > 0:
        time.sleep(settle_warnings)
    dsn = ctx.stack.services.database_url
    caught = wait_until(lambda: time.time() > due.timestamp() and sweep_in_progress(dsn), 20, 0.01)
    flagged_before = n - data.deadline_report(ids)["never_flagged"]
    ctx.stack.killing.add("worker1")
    kill_group(ctx.stack.procs["worker1"], signal.SIGKILL)
    ctx.stack.procs["worker1"].wait(10)
    say(
        f"s1: worker killed {'mid-sweep' if caught else '(no sweep seen)'}; {flagged_before} flagged"
    )
    time.sleep(1)
    ctx.stack.start_worker(1)
    ctx.stack.killing.discard("worker1")
    recovered = time.time()
    settle(ctx, start, ids)
    return finish(
        ctx,
        "1 worker SIGKILL mid-sweep",
        start,
        ids,
        recovered,
        killed_mid_sweep=caught,
        flagged_before_kill=flagged_before,
    )


# --- 2. two beats, two workers ------------------------------------------------------------------


def two_beats_two_workers(ctx: Ctx) -> dict:
    n, window = ctx.size(500, 50), ctx.size(120, 20)
    ctx.stack.start_worker(2)
    ctx.stack.start_beat(2)
    start = timezone.now()
    lead = 8  # each repair is created this long before it falls due
    t0 = time.time() + lead + 2
    ids = []
    for i in range(n):
        due_ts = t0 + i * window / n
        wait = due_ts - lead - time.time()
        if wait > 0:
            time.sleep(wait)
        ids += data.due_repairs(ctx.seed, "s2", [dt.datetime.fromtimestamp(due_ts, dt.UTC)])
    time.sleep(max(0, t0 + window - time.time()) + 3)
    settle(ctx, start, ids)
    row = finish(ctx, "2 two beats + two workers", start, ids)
    ctx.stack.stop_proc("beat2")
    ctx.stack.stop_proc("worker2")
    return row


# --- 3. Redis stopped under API load -------------------------------------------------------------


def healthz_ok(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=3)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def redis_outage(ctx: Ctx) -> dict:
    outage, before, after = ctx.size(60, 15), 5, ctx.size(15, 8)
    start = timezone.now()
    client = ctx.client("s3")
    # Deadlines that fall due while Redis is away, created (through the services) beforehand.
    t_down = time.time() + before + 4
    due = [dt.datetime.fromtimestamp(t_down + 1 + i * (outage - 2) / 10, dt.UTC) for i in range(10)]
    ids = data.due_repairs(ctx.seed, "s3", due)
    load = threading.Thread(
        target=client.run, args=(20, max(1, t_down - time.time()) + outage + after, ALL_KINDS)
    )
    load.start()
    time.sleep(max(0, t_down - time.time()))
    ctx.stack.stop_redis()
    t_down = time.time()
    say(f"s3: Redis stopped for {outage} s")
    time.sleep(outage)
    ctx.stack.start_redis()
    recovered = time.time()
    wait_until(lambda: healthz_ok(ctx.stack.port), 60, 0.2)
    healthz_after = time.time() - recovered
    load.join()
    during = [a for a in client.answers if t_down <= a.at <= recovered]
    settle(ctx, start, ids)
    checks = api_checks(client, ctx.seed.frontdesk)
    return finish(
        ctx,
        "3 Redis stopped",
        start,
        ids,
        recovered,
        load=summary(client.answers),
        lost=checks["lost"],
        api=checks,
        during_outage=summary(during),
        healthz_ok_after_s=round(healthz_after, 1),
    )


# --- 4. PostgreSQL restarted under API load ------------------------------------------------------


def postgres_restart(ctx: Ctx) -> dict:
    seconds = ctx.size(30, 12)
    start = timezone.now()
    client = ctx.client("s4")
    t_restart = time.time() + 5 + seconds / 3
    ids = data.due_repairs(
        ctx.seed,
        "s4",
        [dt.datetime.fromtimestamp(t_restart + i * 0.5, dt.UTC) for i in range(10)],
    )
    load = threading.Thread(
        target=client.run, args=(20, max(1, t_restart - time.time()) + seconds * 2 / 3, TICKETS)
    )
    load.start()
    time.sleep(max(0, t_restart - time.time()))
    t0 = time.time()
    ctx.stack.restart_postgres()
    recovered = time.time()
    say(f"s4: PostgreSQL restarted in {recovered - t0:.1f} s")
    load.join()
    close_old_connections()
    failed = [a for a in client.answers if not (a.status and a.status < 300)]
    ok_after = [a.at + a.seconds for a in client.answers if a.status == 201 and a.at >= recovered]
    settle(ctx, start, ids)
    checks = api_checks(client, ctx.seed.frontdesk)
    return finish(
        ctx,
        "4 PostgreSQL restarted",
        start,
        ids,
        recovered,
        load=summary(client.answers),
        lost=checks["lost"],
        api=checks,
        first_create_ok_after_restart_s=round(min(ok_after) - recovered, 2) if ok_after else None,
        errors_after_restart=sum(1 for a in failed if a.at >= recovered),
        html_errors=sum(1 for a in failed if a.status and not a.json),
    )


# --- 5. a gunicorn worker SIGKILLed during concurrent creates -------------------------------------


def web_worker_killed(ctx: Ctx) -> dict:
    waves = ctx.size(5, 3)
    start = timezone.now()
    client = ctx.client("s5")
    first_failures = 0
    for _ in range(waves):
        threads = [
            threading.Thread(target=client.send, args=("repair", time.time() + 60))
            for _ in range(20)
        ]
        for t in threads:
            t.start()
        time.sleep(0.15)
        victim = ctx.stack.web_worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        for t in threads:
            t.join()
        time.sleep(1)
    first_failures = sum(1 for a in client.answers if a.attempts > 1)
    checks = api_checks(client, ctx.seed.frontdesk)
    keys = {a.key for a in client.answers if a.status and a.status < 300}
    repairs = sum(data.records_by_tag(client.tag)["repair"].values())
    settle(ctx, start, [])
    load = summary(client.answers)
    load["failed"] = first_failures  # first attempts; each was retried until answered
    return finish(
        ctx,
        "5 web worker SIGKILL",
        start,
        [],
        load=load,
        lost=checks["lost"],
        api=checks,
        retried=first_failures,
        retried_and_replayed=sum(1 for a in client.answers if a.attempts > 1 and a.replayed),
        repairs=repairs,
        distinct_keys_answered=len(keys),
    )


# --- 6. a mail server that accepts and never answers ----------------------------------------------


def mail_server_hangs(ctx: Ctx) -> dict:
    hang, n = ctx.size(45, 20), ctx.size(30, 12)
    start = timezone.now()
    client = ctx.client("s6")
    ctx.sink.set_mood("hang")
    t0 = time.time()
    due = [dt.datetime.fromtimestamp(t0 + 8 + i * (hang - 10) / n, dt.UTC) for i in range(n)]
    ids = data.due_repairs(ctx.seed, "s6", due)
    load = threading.Thread(target=client.run, args=(5, hang - (time.time() - t0) - 2, TICKETS))
    load.start()
    load.join()
    time.sleep(max(0, t0 + hang - time.time()))
    during = data.deadline_report(ids)
    ctx.sink.set_mood("answer")
    answering = time.time()
    say(f"s6: mail server answers again after {hang} s")
    settle(ctx, start, ids, seconds=120)
    all_mailed = ctx.sink.received_since(answering)
    checks = api_checks(client, ctx.seed.frontdesk)
    took = sorted(a.seconds for a in client.answers)
    return finish(
        ctx,
        "6 mail server hangs",
        start,
        ids,
        load=summary(client.answers),
        lost=checks["lost"],
        api=checks,
        flagged_while_hanging=during,
        mails_after_answering=all_mailed,
        sink_connections=ctx.sink.connections,
        create_p50_s=round(took[len(took) // 2], 3) if took else None,
        create_max_s=round(took[-1], 3) if took else None,
    )


SCENARIOS = {
    "worker": worker_killed_mid_sweep,
    "beats": two_beats_two_workers,
    "redis": redis_outage,
    "postgres": postgres_restart,
    "web": web_worker_killed,
    "mail": mail_server_hangs,
}
