"""Where the time of a request goes, in-process: the API list and create, the residents' report
form — each through django.test.Client (middleware, authentication, DRF or the form, the
database: everything of a real request except HTTP and gunicorn) on the bench database, pinned to
the server core. For each: p50/p99 wall time, the number of SQL queries, and the share of the
time spent waiting for PostgreSQL (the rest is Python). For the list's main query, PostgreSQL's
own planning and execution time (EXPLAIN ANALYZE).

    python -m bench.diag   (run by run.py as the `diag` suite)

Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RUNS = 20 if os.environ.get("BENCH_QUICK") else 100


def measure(make_request) -> dict:
    """Run `make_request(i)` RUNS times (after 5 to warm up); wall time, queries, database time."""
    from django.db import connection

    from bench.lib import stats

    database_ms: list[float] = []

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            database_ms.append((time.perf_counter() - t0) * 1000)

    for i in range(5):
        make_request(i)
    walls, per_request_db, queries = [], [], set()
    with connection.execute_wrapper(timed):
        for i in range(RUNS):
            database_ms.clear()
            t0 = time.perf_counter()
            make_request(100 + i)
            walls.append((time.perf_counter() - t0) * 1000)
            per_request_db.append(sum(database_ms))
            queries.add(len(database_ms))
    return {
        "ms": stats(walls),
        "database_ms_p50": statistics.median(per_request_db),
        "queries": sorted(queries),
    }


def explain_ms(sql: str, runs: int = 9) -> dict:
    """Median planning and execution time of `sql` as PostgreSQL reports them."""
    from django.db import connection

    planning, execution = [], []
    with connection.cursor() as cur:
        for _ in range(runs):
            cur.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql)
            text = "\n".join(r[0] for r in cur.fetchall())
            planning.append(float(re.search(r"Planning Time: ([\d.]+) ms", text).group(1)))
            execution.append(float(re.search(r"Execution Time: ([\d.]+) ms", text).group(1)))
    return {"planning": statistics.median(planning), "execution": statistics.median(execution)}


def main() -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from bench.dataset import CATEGORY_SLOTS, LOAD_USER, unit_code
    from bench.suite_list import MIXES

    token = Token.objects.get(user__username=LOAD_USER).key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    result: dict = {}

    for label, query in MIXES.items():
        url = f"/api/v1/repairs/?{query}&page_size=50"

        def get(i, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]

        result[f"list '{label}'"] = measure(get)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        main_sql = next(
            q["sql"]
            for q in captured.captured_queries
            if 'FROM "tickets_repair"' in q["sql"] and "LIMIT" in q["sql"]
        )
        result[f"list '{label}'"]["main_query"] = explain_ms(main_sql)

    def post(i, urgent=False):
        body = {
            "estate": "BENCH-A",
            "unit": unit_code((i * 37) % 2000),
            "category": "water" if urgent else CATEGORY_SLOTS[i % len(CATEGORY_SLOTS)],
            "description": f"卫生间地漏返水（诊断 {i}）",
            "reporter_name": "王女士",
            "reporter_phone": "13912340000",
        }
        response = client.post(
            "/api/v1/repairs/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]

    result["create (15 % urgent)"] = measure(post)
    result["create (urgent only)"] = measure(lambda i: post(i, urgent=True))
    return result


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propserv.settings")
    print(json.dumps(main()))
