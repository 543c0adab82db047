"""Figure 4: the cost of one propserv.deadlines.sweep() with nothing due, as the number of open
deadlines (rows the sweep index holds: next_check_at set) grows 1k → 10k → 100k → 1M.

Open deadline rows of a kind no policy knows ('bench.sweep'), next check 20-30 days ahead, are
added with INSERT … SELECT generate_series on top of the loaded data, then VACUUM (ANALYZE); at
each size sweep() is called repeatedly (it must handle 0 rows) and its SELECT … FOR UPDATE SKIP
LOCKED is EXPLAIN ANALYZEd: it must read the partial index deadline_sweep, and the pages it reads
(buffers) must not grow with the table. The wall time of sweep() (Python, three round trips:
BEGIN/SELECT/COMMIT) is reported too, but on a shared machine it is mostly noise. The rows are
deleted afterwards.
"""

from __future__ import annotations

import re
import time

from bench.lib import Context, row, say, stats

STAGES = [1_000, 10_000, 100_000, 1_000_000]
QUICK_STAGES = [1_000, 10_000]
CALLS = 200


def scheduled_count(cur) -> int:
    cur.execute("SELECT count(*) FROM propserv_deadline WHERE next_check_at IS NOT NULL")
    return cur.fetchone()[0]


def add_rows(cur, first: int, count: int, ct: int, estates: list[int]) -> None:
    """`count` open deadlines, object ids first..first+count-1, next check 20-30 days ahead."""
    cur.execute(
        """
        INSERT INTO propserv_deadline (
            object_id, kind, started_at, due_at, warn_at, warned_at, met_at, breached_at,
            cancelled_at, escalation_level, max_escalation_level, escalation_step,
            next_check_at, working_days, provisional, rule, created_at, content_type_id,
            estate_id)
        SELECT g, 'bench.sweep', now(),
               now() + interval '30 days' + make_interval(secs => (g %% 864000)::float8),
               now() + interval '20 days' + make_interval(secs => (g %% 864000)::float8),
               NULL, NULL, NULL, NULL, 0, 2, interval '30 minutes',
               now() + interval '20 days' + make_interval(secs => (g %% 864000)::float8),
               false, false, '{"unit": "days", "amount": 30}'::jsonb, now(), %(ct)s,
               (%(estates)s::bigint[])[1 + (g %% %(n_estates)s)::int]
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
        """,
        {
            "first": first,
            "last": first + count - 1,
            "ct": ct,
            "estates": estates,
            "n_estates": len(estates),
        },
    )


def sweep_sql() -> str:
    """The SQL of the sweep's select, as Django sends it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from propserv.deadlines import sweep

    with CaptureQueriesContext(connection) as captured:
        sweep()
    return next(q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"])


def explain(cur, sql: str, seqscan_only: bool = False) -> dict:
    cur.execute("BEGIN")
    try:
        if seqscan_only:
            cur.execute("SET LOCAL enable_indexscan = off")
            cur.execute("SET LOCAL enable_bitmapscan = off")
            cur.execute("SET LOCAL enable_indexonlyscan = off")
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [r[0] for r in cur.fetchall()]
    finally:
        cur.execute("ROLLBACK")
    text = "\n".join(lines)
    exec_ms = re.search(r"Execution Time: ([\d.]+) ms", text)
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", text)
    return {
        "uses_deadline_sweep": "deadline_sweep" in text,
        "execution_ms": float(exec_ms.group(1)) if exec_ms else None,
        "buffers": (int(buffers.group(1)) + int(buffers.group(2) or 0)) if buffers else None,
        "plan": lines,
    }


def run(ctx: Context) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from propserv.deadlines import sweep
    from tickets.models import Repair

    ct = ContentType.objects.get_for_model(Repair).pk
    estates = [e["id"] for e in ctx.data["estates"]]
    stages = QUICK_STAGES if ctx.quick else STAGES
    calls = 50 if ctx.quick else CALLS
    result: dict = {"stages": []}
    next_object_id = 1
    try:
        with connection.cursor() as cur:
            base = scheduled_count(cur)
            sql = None
            for target in stages:
                missing = target - scheduled_count(cur)
                if missing > 0:
                    t0 = time.monotonic()
                    add_rows(cur, next_object_id, missing, ct, estates)
                    next_object_id += missing
                    # As a steady table would be: statistics and visibility map up to date, and no
                    # autovacuum of the fresh rows running during the timing.
                    cur.execute("VACUUM (ANALYZE) propserv_deadline")
                    say(f"sweep: +{missing:,} open deadlines in {time.monotonic() - t0:.1f} s")
                open_now = scheduled_count(cur)
                sql = sql or sweep_sql()
                for _ in range(5):  # warm
                    assert sweep() == 0, "something was due: the sweep timing would be wrong"
                times = []
                for _ in range(calls):
                    t0 = time.perf_counter()
                    handled = sweep()
                    times.append((time.perf_counter() - t0) * 1000)
                    assert handled == 0, "something became due during the measurement"
                plan = explain(cur, sql)
                stage = {
                    "open_deadlines": open_now,
                    "sweep_ms": stats(times),
                    "explain": plan,
                }
                if target == stages[-1]:
                    stage["explain_without_index"] = explain(cur, sql, seqscan_only=True)
                result["stages"].append(stage)
                say(
                    f"sweep with {open_now:,} open deadlines: p50 {stage['sweep_ms']['p50']:.2f} ms, "
                    f"p99 {stage['sweep_ms']['p99']:.2f} ms; query {plan['execution_ms']} ms, "
                    f"{plan['buffers']} buffers, deadline_sweep index: {plan['uses_deadline_sweep']}"
                )
    finally:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM propserv_deadline WHERE kind = 'bench.sweep'")
            say(f"sweep: removed {cur.rowcount:,} bench rows")
            cur.execute("VACUUM ANALYZE propserv_deadline")
    result["base_open_deadlines"] = base
    result["sweep_sql"] = sql
    first, last = result["stages"][0], result["stages"][-1]
    ratio = last["sweep_ms"]["p50"] / first["sweep_ms"]["p50"]
    rows = [
        row(
            f"sweep() nothing due, {s['open_deadlines']:,} open: p50 / p99",
            f"{s['sweep_ms']['p50']:.2f} / {s['sweep_ms']['p99']:.2f} ms "
            f"(SQL {s['explain']['execution_ms']:.3f} ms, {s['explain']['buffers']} buffers)",
            "uses index deadline_sweep",
            s["explain"]["uses_deadline_sweep"],
        )
        for s in result["stages"]
    ]
    flat = all(s["explain"]["uses_deadline_sweep"] for s in result["stages"]) and (
        last["explain"]["execution_ms"] < 1
        and last["explain"]["buffers"] <= first["explain"]["buffers"] + 2
    )
    rows.append(
        row(
            f"sweep: {first['open_deadlines']:,} → {last['open_deadlines']:,} open: SQL buffers, "
            "wall p50",
            f"{first['explain']['buffers']} → {last['explain']['buffers']} buffers; "
            f"{first['sweep_ms']['p50']:.2f} → {last['sweep_ms']['p50']:.2f} ms ({ratio:.2f}×)",
            "flat (index range scan)",
            flat,
        )
    )
    if "explain_without_index" in last:
        rows.append(
            row(
                "sweep query without the index (seq scan), for contrast",
                f"{last['explain_without_index']['execution_ms']:.1f} ms",
            )
        )
    result["rows"] = rows
    return result
