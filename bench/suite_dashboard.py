"""Dashboard figures (issue 15): the managers' dashboard over the bench's repairs plus complaints
(one per five repairs) and callbacks (one per closed repair) with their deadlines.

- in-process: the SQL statements of the dashboard for 30 days and for 365 days (the count must be
  the same), and EXPLAIN (ANALYZE, BUFFERS) of each card's aggregate for both periods (which
  indexes, how long);
- over HTTP (gunicorn as `make run` starts it, session cookie of a project manager covering 2 of
  the 5 estates): the dashboard page for 30 days and for 365 days at 5 requests/s (open loop);
- the RSS of each web worker after those requests (at least 100 dashboard renders each run).

Size: `run.py --repairs=N` (the bench's own parameter); complaints N/5, callbacks ≈ N. The
complaints and callbacks are written in SQL on the first run (`INSERT … SELECT`), remembered in
`bench_meta`, and reused. The periods end on the day the data was loaded, so a later run
measures the same rows.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

from bench.lib import Context, _children, ms, row, say

RATE = 5
TARGET_MONTH_P99_MS = 150
TARGET_YEAR_P99_MS = 300
TARGET_RSS_MB = 150
MANAGER = "bench_pm"
SUSTAINABLE_MS = 2 * 1000 / RATE  # what 2 workers can render at RATE requests/s
COMPLAINTS_PER_REPAIR = 5  # one complaint per five repairs
CALLBACK_CHUNK = 200_000

COMPLAINTS_SQL = """
WITH src AS (
    SELECT g,
           %(t_load)s::timestamptz - make_interval(secs => ((%(n)s - g) * %(spacing)s + 900)::float8)
               AS r
    FROM generate_series(1, %(n)s) AS g
), ins AS (
    INSERT INTO tickets_complaint (
        channel, complainant_kind, complainant_name, complainant_phone, occurred_place,
        department, against, description, request, category, written, households,
        injury_or_loss, promise_broken, apologised, status, proposed_grade, proposed_reasons,
        grade, grade_reason, graded_at, invalid_reason, referred_to, received_at, first_reply_at,
        handled_at, outcome, closed_at, reopen_count, repeat_count, repeat_flagged, created_at,
        estate_id, reported_to)
    SELECT 'phone', 'resident', '住户' || (g %% 997), '', '', 'other', '', '楼上装修噪音 #' || g, '',
           (ARRAY['management', 'staff', 'efficiency', 'developer', 'neighbour', 'other'])
               [1 + (g %% 6)::int],
           false, 1, false, false, true, 'closed', '', '[]'::jsonb,
           (ARRAY['minor', 'minor', 'important', 'invalid', 'minor', 'major', 'minor'])
               [1 + (g %% 7)::int],
           '', r + interval '1 hour',
           CASE WHEN g %% 7 = 3 THEN 'outside' ELSE '' END, '', r, r + interval '1 day',
           r + interval '2 days', '已处理', r + interval '5 days', 0, 1, g %% 23 = 0, r,
           (%(estates)s::bigint[])[1 + (g %% 5)::int], '[]'::jsonb
    FROM src
    RETURNING id, estate_id, received_at
)
INSERT INTO propserv_deadline (
    object_id, kind, started_at, due_at, warn_at, met_at, escalation_level, max_escalation_level,
    escalation_step, working_days, provisional, rule, created_at, content_type_id, estate_id)
SELECT id, 'complaint.reply', received_at, received_at + interval '4 days',
       received_at + interval '3 days',
       received_at + CASE WHEN id %% 29 = 0 THEN interval '5 days' ELSE interval '1 day' END,
       0, 2, interval '30 minutes', true, false,
       jsonb_build_object('unit', 'working_days', 'amount', 4), received_at, %(ct)s, estate_id
FROM ins
"""

CALLBACKS_SQL = """
WITH ins AS (
    INSERT INTO tickets_callback (
        estate_id, repair_id, status, due_at, satisfaction, comment, confirmed_by_resident,
        completed_at, channel, created_at)
    SELECT r.estate_id, r.id, 'done', r.completed_at + interval '48 hours',
           CASE WHEN r.id %% 17 = 0 THEN 2 ELSE 4 + (r.id %% 2)::int END, '', true,
           r.closed_at, 'phone', r.completed_at
    FROM tickets_repair r
    WHERE r.id BETWEEN %(a)s AND %(b)s AND r.status = 'closed'
    RETURNING id, completed_at
)
INSERT INTO tickets_callbackattempt (callback_id, at, outcome, note)
SELECT id, completed_at - interval '2 hours', 'no_answer', '' FROM ins WHERE id %% 10 = 0
UNION ALL
SELECT id, completed_at, 'reached', '' FROM ins
"""


def _meta(key: str):
    from bench import dataset

    return dataset._meta(key)


def _set_meta(key: str, value) -> None:
    from bench import dataset

    dataset._set_meta(key, value)


def ensure_tickets(ctx: Context) -> dict:
    """Complaints and callbacks beside the loaded repairs (once per bench database)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from tickets.models import Complaint

    meta = _meta("dashboard_load")
    if meta:
        return meta
    load = ctx.data["load"]
    n_repairs = load["n"]
    n_complaints = max(1, n_repairs // COMPLAINTS_PER_REPAIR)
    t0 = time.monotonic()
    params = {
        "t_load": dt.datetime.fromisoformat(load["t_load"]),
        "n": n_complaints,
        "spacing": 60 * COMPLAINTS_PER_REPAIR,
        "estates": [e["id"] for e in ctx.data["estates"]],
        "ct": ContentType.objects.get_for_model(Complaint).pk,
    }
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute(COMPLAINTS_SQL, params)
    say(f"dashboard: {n_complaints:,} complaints with their reply clocks")
    base_max_id = load["base_max_id"]
    for a in range(1, base_max_id + 1, CALLBACK_CHUNK):
        b = min(a + CALLBACK_CHUNK - 1, base_max_id)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute(CALLBACKS_SQL, {"a": a, "b": b})
        say(f"dashboard: callbacks of repairs up to {b:,}")
    with connection.cursor() as cur:
        for table in ("tickets_complaint", "tickets_callback", "tickets_callbackattempt"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("VACUUM ANALYZE propserv_deadline")
        cur.execute("SELECT count(*) FROM tickets_callback")
        n_callbacks = cur.fetchone()[0]
    meta = {
        "complaints": n_complaints,
        "callbacks": n_callbacks,
        "seconds": round(time.monotonic() - t0, 1),
    }
    _set_meta("dashboard_load", meta)
    return meta


def manager(ctx: Context):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from propserv.models import StaffProfile
    from propserv.roles import Role

    user, _ = get_user_model().objects.get_or_create(
        username=MANAGER, defaults={"email": f"{MANAGER}@bench.invalid", "first_name": "PM"}
    )
    user.groups.add(Group.objects.get_or_create(name=Role.PROJECT_MANAGER)[0])
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.estates.add(*[e["id"] for e in ctx.data["estates"][:2]])
    return user


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import SessionBase
    from django.utils.module_loading import import_string

    store: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(3600)
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.LANGUAGE_COOKIE_NAME}=zh-hans"


def periods(ctx: Context) -> dict:
    """30 and 365 days ending on the day the data was loaded (local dates)."""
    from django.utils import timezone

    last = timezone.localtime(dt.datetime.fromisoformat(ctx.data["load"]["t_load"])).date()
    return {
        "month": (last - dt.timedelta(days=29), last),
        "year": (last - dt.timedelta(days=364), last),
    }


def explain(sql: str, params: dict) -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [r[0] for r in cur.fetchall()]
    timing = next((line for line in lines if line.startswith("Execution Time")), "")
    return {
        "indexes": sorted(set(re.findall(r"using (\w+)", " ".join(lines)))),
        "seq_scans": sorted(set(re.findall(r"Seq Scan on (\w+)", " ".join(lines)))),
        "execution_time": timing,
        "plan": lines,
    }


def in_process(user, estate_ids: list[int], spans: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from propserv.dashboard.cards import cards_for
    from propserv.dashboard.period import days_period
    from tickets.kpis import callbacks, common, complaints, now, repairs
    from tickets.models import Complaint, Repair
    from tickets.rules import complaints as crules
    from tickets.rules import repairs as rules

    out: dict = {}
    for name, (first, last) in spans.items():
        period = days_period(first, last)
        cards_for(user, estate_ids, period)  # warm: content types, translations
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            cards_for(user, estate_ids, period)
        render_ms = round((time.perf_counter() - t0) * 1000, 1)
        base = common.period_params(period, estate_ids)
        plans = {
            "repairs": explain(
                repairs.SQL,
                {
                    **base,
                    "ct": common.content_type_id(Repair),
                    "arrival": rules.ARRIVAL,
                    "completion": rules.COMPLETION,
                },
            ),
            "callbacks": explain(callbacks.SQL, base),
            "complaints": explain(
                complaints.SQL,
                {**base, "ct": common.content_type_id(Complaint), "reply": crules.REPLY},
            ),
            "right_now": explain(
                now.SQL,
                {
                    "estates": estate_ids,
                    "now": base["now"],
                    "kinds": now.KINDS,
                    "callback_kinds": now.CALLBACK_KINDS,
                    "ct_repair": common.content_type_id(Repair),
                    "ct_complaint": common.content_type_id(Complaint),
                    "ct_second": common.content_type_id(now.SecondHandling),
                },
            ),
        }
        out[name] = {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "statements": len(captured.captured_queries),
            "render_ms": render_ms,
            "sql": [q["sql"][:300] for q in captured.captured_queries],
            "plans": plans,
        }
        say(
            f"dashboard {name}: one render {render_ms} ms in-process, "
            f"{len(captured.captured_queries)} statements; "
            + "; ".join(
                f"{k} {p['execution_time'].replace('Execution Time: ', '')} "
                f"via {p['indexes']}{' seq ' + str(p['seq_scans']) if p['seq_scans'] else ''}"
                for k, p in plans.items()
            )
        )
    return out


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run(ctx: Context) -> dict:
    loaded = ensure_tickets(ctx)
    user = manager(ctx)
    estate_ids = [e["id"] for e in ctx.data["estates"][:2]]
    spans = periods(ctx)
    result: dict = {"data": loaded, "estates": estate_ids}
    result["in_process"] = in_process(user, estate_ids, spans)
    cookie = session_cookie(user)
    duration = 6 if ctx.quick else 20
    result["http"] = {}
    with ctx.web() as port:
        master = ctx.procs[-1].pid

        def path(name: str) -> str:
            first, last = spans[name]
            return f"/dashboard/?period=custom&from={first}&to={last}"

        headers = {"Cookie": cookie, "Accept": "text/html"}
        warm = [{"method": "GET", "path": path(n), "headers": headers} for n in spans]
        ctx.load(port, 2, 4, warm, expect=[200])
        for name in spans:
            render = result["in_process"][name]["render_ms"]
            if render > SUSTAINABLE_MS:
                # Two workers cannot keep up: the load would only queue (and keep the shared
                # server core busy long after the generator gave up).
                result["http"][name] = {"skipped": f"one render takes {render} ms in-process"}
                say(f"dashboard {name}: not loaded at {RATE}/s, one render takes {render} ms")
                continue
            load = ctx.load(
                port,
                RATE,
                duration,
                [{"method": "GET", "path": path(name), "headers": headers}],
                expect=[200],
            )
            result["http"][name] = load
            lat = load["latency_ms"]
            say(
                f"dashboard {name} at {RATE}/s: p50 {ms(lat['p50'])} p99 {ms(lat['p99'])} "
                f"({load['failed']} failed)"
            )
        loaded = sum(RATE * duration for v in result["http"].values() if "skipped" not in v)
        extra = max(0, 100 - loaded)
        if extra:  # at least 100 renders before the RSS is read (slowly, if need be)
            rate = RATE if loaded else 1000 / max(result["in_process"]["month"]["render_ms"], 1)
            ctx.load(port, rate, extra / rate, warm[:1], expect=[200])
        workers = [p for p in _children(master) if rss_mb(p) is not None]
        result["rss_mb"] = {str(p): rss_mb(p) for p in workers}
        say(f"dashboard: worker RSS after the requests {result['rss_mb']} MB")
    rows = []
    for name, target in (("month", TARGET_MONTH_P99_MS), ("year", TARGET_YEAR_P99_MS)):
        load = result["http"][name]
        if "skipped" in load:
            rows.append(
                row(
                    f"dashboard page, {name}: p50 / p99 at {RATE}/s",
                    f"not sustainable: {load['skipped']}",
                    f"p99 ≤ {target} ms",
                    False,
                )
            )
            continue
        lat = load["latency_ms"]
        rows.append(
            row(
                f"dashboard page, {name}: p50 / p99 at {RATE}/s",
                f"{ms(lat['p50'])} / {ms(lat['p99'])}"
                + (f" ({load['failed']} failed)" if load["failed"] else ""),
                f"p99 ≤ {target} ms",
                lat["p99"] is not None and lat["p99"] <= target and load["failed"] == 0,
            )
        )
    counts = {n: v["statements"] for n, v in result["in_process"].items()}
    rows.append(
        row(
            "dashboard: SQL statements, 30 days / 365 days",
            f"{counts['month']} / {counts['year']}",
            "the same",
            counts["month"] == counts["year"],
        )
    )
    for name, info in result["in_process"].items():
        rows.append(
            row(
                f"dashboard {name}: repairs aggregate (EXPLAIN ANALYZE)",
                info["plans"]["repairs"]["execution_time"].replace("Execution Time: ", ""),
                "indexed, no seq scan of repairs or deadlines",
                not {"tickets_repair", "propserv_deadline"}
                & set(info["plans"]["repairs"]["seq_scans"]),
            )
        )
    peak = max(result["rss_mb"].values() or [0])
    rows.append(
        row(
            "dashboard: web worker RSS after ≥ 100 dashboard requests",
            f"{peak} MB",
            f"≤ {TARGET_RSS_MB} MB",
            bool(peak) and peak <= TARGET_RSS_MB,
        )
    )
    result["rows"] = rows
    return result
