"""Not one of the issue's figures: where list and create time goes, shipped vs the proposed fixes
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
    sql = result.pop("list_sql")
    for what, variants in result.items():
        for variant, m in variants.items():
            q = "/".join(map(str, m["queries"]))
            rows.append(
                row(
                    f"in-process {what}: {variant}",
                    f"p50 {m['ms']['p50']:.1f} ms, {q} queries",
                    "diagnostic",
                )
            )
            say(f"diag {what} {variant}: p50 {m['ms']['p50']:.1f} ms, {q} queries")
    for label, m in sql.items():
        rows.append(
            row(
                f"list SQL '{label}' plan+run: shipped → fix 5 → + index",
                " → ".join(
                    f"{m[k]['planning']:.1f}+{m[k]['execution']:.1f}"
                    for k in ("shipped_ms", "estate_ids_no_distinct_ms", "plus_index_ms")
                )
                + " ms",
                "diagnostic",
            )
        )
    return {"variants": result, "list_sql": sql, "rows": rows}
