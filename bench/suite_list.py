"""Figure 2: GET /api/v1/repairs/ with filters, 50 a page, as the front desk (token auth; the user
works for 2 of the 5 estates, so 400,000 of the 1,000,000 repairs are theirs).

First in-process (django.test Client, real token auth, on the bench database): the SQL of page 1
and page 2 of each filter mix is captured with CaptureQueriesContext — the number of queries must
not depend on the page or the filter, and no query may contain COUNT( or OFFSET — and the main
query is EXPLAIN ANALYZEd. Then each mix over HTTP at 20 requests/s (open loop).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bench.lib import Context, ms, row, say

TARGET_P50_MS = 15
TARGET_P99_MS = 40
RATE = 20

MIXES = {
    "urgent, not yet on site": "status=received&status=dispatched&urgent=true",
    "on site / in progress / on hold": "status=on_site&status=in_progress&status=on_hold",
    "closed, not urgent": "status=closed&urgent=false",
    "urgent, any status": "urgent=true",
    "cancelled": "status=cancelled",
}
PATH = "/api/v1/repairs/?{query}&page_size=50"
BARE_PATH = "/bench/bare/repairs/list/?{query}&page_size=50"  # the reference (bench/bare_urls.py)


def capture(ctx: Context, query: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {ctx.data['token']}", HTTP_ACCEPT="application/json")
    url = PATH.format(query=query)
    client.get(url)  # warm: first-use costs are not the point here
    pages = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        sql = [q["sql"] for q in captured.captured_queries]
        pages.append(
            {
                "url": url,
                "results": len(body["results"]),
                "queries": len(sql),
                "sql": sql,
                "count_star": [s for s in sql if re.search(r"\bCOUNT\s*\(", s, re.I)],
                "offset": [s for s in sql if re.search(r"\bOFFSET\b", s, re.I)],
            }
        )
        if not body.get("next"):
            break
        parts = urlsplit(body["next"])
        url = f"{parts.path}?{parts.query}"
    main_sql = next(
        (s for s in pages[0]["sql"] if 'FROM "tickets_repair"' in s and "LIMIT" in s), None
    )
    plan = explain(main_sql) if main_sql else None
    return {"pages": pages, "main_query_plan": plan}


def explain(sql: str) -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [r[0] for r in cur.fetchall()]
    timing = next((line for line in lines if line.startswith("Execution Time")), "")
    return {
        "top": lines[0].strip() if lines else "",
        "indexes": sorted(set(re.findall(r"using (\w+)", " ".join(lines)))),
        "execution_time": timing,
        "plan": lines,
    }


def run(ctx: Context) -> dict:
    token = ctx.data["token"]
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    result: dict = {"mixes": {}}
    query_counts = set()
    violations = []
    for label, query in MIXES.items():
        cap = capture(ctx, query)
        for page in cap["pages"]:
            query_counts.add(page["queries"])
            violations += page["count_star"] + page["offset"]
        plan = cap["main_query_plan"] or {}
        say(
            f"list '{label}': {[p['queries'] for p in cap['pages']]} queries on pages 1-2, "
            f"{cap['pages'][0]['results']} rows; main query {plan.get('execution_time')} "
            f"via {plan.get('indexes')}"
        )
        result["mixes"][label] = {"query": query, "sql": cap}
    duration = 5 if ctx.quick else 20
    with ctx.web() as port:
        warm = [
            {"method": "GET", "path": PATH.format(query=q), "headers": headers}
            for q in MIXES.values()
        ]
        ctx.load(port, 10, 2, warm)
        for label, query in MIXES.items():
            load = ctx.load(
                port,
                RATE,
                duration,
                [{"method": "GET", "path": PATH.format(query=query), "headers": headers}],
            )
            result["mixes"][label]["http"] = load
            lat = load["latency_ms"]
            say(f"list '{label}' at {RATE}/s: p50 {ms(lat['p50'])} p99 {ms(lat['p99'])}")
    if not getattr(ctx.args, "no_bare", False):
        result["bare"] = {}
        with ctx.web(ctx.args.bare_settings) as port:
            warm = [
                {"method": "GET", "path": BARE_PATH.format(query=q), "headers": headers}
                for q in MIXES.values()
            ]
            ctx.load(port, 10, 2, warm)
            for label, query in MIXES.items():
                load = ctx.load(
                    port,
                    RATE,
                    duration,
                    [{"method": "GET", "path": BARE_PATH.format(query=query), "headers": headers}],
                )
                result["bare"][label] = load
                lat = load["latency_ms"]
                say(
                    f"bare DRF list '{label}' at {RATE}/s: p50 {ms(lat['p50'])} p99 {ms(lat['p99'])}"
                )
    result["queries_per_request"] = sorted(query_counts)
    result["count_or_offset_queries"] = violations
    rows = []
    for label, mix in result["mixes"].items():
        lat = mix["http"]["latency_ms"]
        failed = mix["http"]["failed"]
        rows.append(
            row(
                f"list 50 '{label}': p50 / p99 at {RATE}/s",
                f"{ms(lat['p50'])} / {ms(lat['p99'])}" + (f" ({failed} failed)" if failed else ""),
                f"≤ {TARGET_P50_MS} / ≤ {TARGET_P99_MS} ms",
                lat["p50"] is not None
                and lat["p50"] <= TARGET_P50_MS
                and lat["p99"] <= TARGET_P99_MS
                and failed == 0,
            )
        )
    for label, load in result.get("bare", {}).items():
        lat = load["latency_ms"]
        rows.append(
            row(
                f"bare DRF list 50 '{label}' (no deadlines): p50 / p99",
                f"{ms(lat['p50'])} / {ms(lat['p99'])}"
                + (f" ({load['failed']} failed)" if load["failed"] else ""),
                "reference",
                None,
            )
        )
    rows.append(
        row(
            "list: SQL queries per request (any filter, page 1 or 2)",
            ", ".join(map(str, sorted(query_counts))),
            "fixed; no COUNT(*), no OFFSET",
            len(query_counts) == 1 and not violations,
        )
    )
    result["rows"] = rows
    return result
