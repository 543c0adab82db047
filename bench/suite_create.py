"""Figure 1: creating repairs through POST /api/v1/repairs/ (token auth, the real service: repair
row, timeline event, arrival and completion deadlines, urgent notifications), and for reference a
bare DRF ModelSerializer create of the same table (bench/bare_urls.py).

Per endpoint: p50 unloaded (5 requests/s), p50/p99 at 100 requests/s for 30 s, then steps of
10 s at rising rates until p99 passes 1 s, errors appear or the server stops keeping up; the
saturation throughput is the highest rate of answered creates seen in a step.
"""

from __future__ import annotations

import json

from bench.dataset import CATEGORY_SLOTS
from bench.lib import Context, ms, row, say

TARGET_P99_MS = 25
TARGET_SATURATION = 140
STEP_RATES = [100, 140, 180, 220, 260, 300, 350, 400, 500, 600]
LOW_STEP_RATES = [20, 40, 60, 80]  # first, when the server could not keep up with 100/s


def app_requests(ctx: Context, count: int = 400) -> list[dict]:
    data = ctx.data
    estates = [e["code"] for e in data["estates"][:2]]
    units = data["unit_codes"]
    headers = {
        "Authorization": f"Token {data['token']}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    requests = []
    for i in range(count):
        body = {
            "estate": estates[i % len(estates)],
            "unit": units[(i * 37) % len(units)],
            "category": CATEGORY_SLOTS[i % len(CATEGORY_SLOTS)],  # 15 % urgent
            "description": f"卫生间地漏返水，有异味，请派师傅检查。（压测 {i}）",
            "reporter_name": "王女士",
            "reporter_phone": f"1391234{i % 10000:04d}",
            "channel": "phone",
        }
        requests.append(
            {
                "method": "POST",
                "path": "/api/v1/repairs/",
                "body": json.dumps(body, ensure_ascii=False),
                "headers": headers,
            }
        )
    return requests


def bare_requests(ctx: Context, count: int = 400) -> list[dict]:
    from propserv.models import Unit
    from tickets.models import RepairCategory

    estate_id = ctx.data["estates"][0]["id"]
    units = list(Unit.objects.filter(estate_id=estate_id).values_list("pk", flat=True)[:500])
    category = RepairCategory.objects.get(estate_id=estate_id, code="lighting").pk
    headers = {
        "Authorization": f"Token {ctx.data['token']}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    return [
        {
            "method": "POST",
            "path": "/bench/bare/repairs/",
            "body": json.dumps(
                {
                    "estate": estate_id,
                    "unit": units[i % len(units)],
                    "category": category,
                    "description": f"走廊灯不亮（压测 {i}）",
                    "reporter_name": "王女士",
                    "reporter_phone": f"1391234{i % 10000:04d}",
                    "channel": "phone",
                },
                ensure_ascii=False,
            ),
            "headers": headers,
        }
        for i in range(count)
    ]


def measure(ctx: Context, port: int, requests: list[dict], label: str) -> dict:
    quick = ctx.quick
    ctx.load(port, 10, 2, requests, expect=[201])  # warm-up: imports, connections
    unloaded = ctx.load(port, 5, 4 if quick else 10, requests, expect=[201])
    say(f"{label}: unloaded p50 {ms(unloaded['latency_ms']['p50'])}")
    sustained = ctx.load(port, 100, 8 if quick else 30, requests, expect=[201])
    say(
        f"{label}: 100/s p50 {ms(sustained['latency_ms']['p50'])} "
        f"p99 {ms(sustained['latency_ms']['p99'])} failed {sustained['failed']}"
    )
    steps = []
    kept_up_100 = (
        sustained["failed"] == 0 and sustained["throughput"] >= 0.97 * sustained["offered_rate"]
    )
    for rate in STEP_RATES if kept_up_100 else LOW_STEP_RATES + STEP_RATES:
        step = ctx.load(port, rate, 4 if quick else 10, requests, expect=[201], drain=8)
        lat = step["latency_ms"]
        say(
            f"{label}: step {rate}/s → {step['throughput']:.0f}/s answered, "
            f"p99 {ms(lat['p99'])}, failed {step['failed']}"
        )
        steps.append(step)
        if (
            step["failed"] > 0.01 * step["sent"]
            or (lat["p99"] or 0) > 1000
            or step["throughput"] < 0.9 * rate
        ):
            break
    kept_up = [
        s["offered_rate"]
        for s in steps
        if s["failed"] == 0
        and s["throughput"] >= 0.97 * s["offered_rate"]
        and (s["latency_ms"]["p99"] or 0) <= 100
    ]
    return {
        "unloaded": unloaded,
        "at_100": sustained,
        "steps": steps,
        "saturation_throughput": max(s["throughput"] for s in steps),
        "highest_rate_kept_up_p99_under_100ms": max(kept_up, default=None),
    }


def run(ctx: Context) -> dict:
    result: dict = {}
    with ctx.web() as port:
        result["app"] = measure(ctx, port, app_requests(ctx), "API create")
    if not getattr(ctx.args, "no_bare", False):
        with ctx.web(ctx.args.bare_settings) as port:
            result["bare"] = measure(ctx, port, bare_requests(ctx), "bare DRF create")
    app = result["app"]
    p99 = app["at_100"]["latency_ms"]["p99"]
    failed = app["at_100"]["failed"]
    rows = [
        row("create: p50 unloaded (5/s)", ms(app["unloaded"]["latency_ms"]["p50"])),
        row(
            "create: p50 / p99 at 100/s",
            f"{ms(app['at_100']['latency_ms']['p50'])} / {ms(p99)}"
            + (f" ({failed} failed)" if failed else ""),
            f"p99 ≤ {TARGET_P99_MS} ms",
            p99 is not None and p99 <= TARGET_P99_MS and failed == 0,
        ),
        row(
            "create: saturation throughput",
            f"{app['saturation_throughput']:.0f}/s",
            f"≥ {TARGET_SATURATION}/s",
            app["saturation_throughput"] >= TARGET_SATURATION,
        ),
    ]
    if "bare" in result:
        bare = result["bare"]
        rows += [
            row(
                "bare DRF create: p50 unloaded / p99 at 100/s",
                f"{ms(bare['unloaded']['latency_ms']['p50'])} / "
                f"{ms(bare['at_100']['latency_ms']['p99'])}",
                "ref. 8 ms p50",
            ),
            row(
                "bare DRF create: saturation throughput",
                f"{bare['saturation_throughput']:.0f}/s",
                "ref. 190/s",
            ),
        ]
    result["rows"] = rows
    return result
