"""Not one of the issue's figures: where the time of a list and a create request goes, in-process
(bench/diag.py, run pinned to the server core like gunicorn)."""

from __future__ import annotations

import json
import subprocess

from bench.lib import PY, REPO, Context, row, say


def run(ctx: Context) -> dict:
    done = subprocess.run(
        [*ctx.pinning.prefix(ctx.pinning.server), PY, "-m", "bench.diag"],
        env={**ctx.env, "BENCH_QUICK": "1" if ctx.quick else ""},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise RuntimeError(f"bench.diag failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    rows = []
    for what, m in result.items():
        queries = "/".join(map(str, m["queries"]))
        text = (
            f"p50 {m['ms']['p50']:.1f} ms ({m['database_ms_p50']:.1f} waiting for PostgreSQL), "
            f"{queries} queries"
        )
        if "main_query" in m:
            text += (
                f"; main query plan {m['main_query']['planning']:.2f}"
                f" + run {m['main_query']['execution']:.2f} ms"
            )
        rows.append(row(f"in-process {what}", text, "diagnostic"))
        say(f"diag {what}: {text}")
    return {"requests": result, "rows": rows}
