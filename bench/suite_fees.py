"""Fees figures (issue 13): a billing run for 10,000 units; arrears ageing over 100,000 units with
36 months of charges each (with its EXPLAIN ANALYZE); payment posting through
POST /api/v1/payments/ at half the same-run saturation of the bare DRF create, against the bare
create's p99 at that rate.

The suite keeps its own estates in the bench database (FEE-BILL: the billing run and the
payments; FEE-AGE: the ageing), made on its first run and reused. FEE-AGE's charges are written
in SQL (3.6 million rows, `INSERT … SELECT generate_series`) without ledger rows: the ageing
reads only charges. `--quick`: 1,000 units billed, 10,000 units aged, short load steps.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
import uuid
from decimal import Decimal

from bench.lib import Context, ms, row, say

BILL_UNITS, BILL_UNITS_QUICK = 10_000, 1_000
AGE_UNITS, AGE_UNITS_QUICK = 100_000, 10_000
AGE_MONTHS = 36
TARGET_BILL_S = 30
TARGET_AGEING_S = 2
TARGET_P99_RATIO = 3
CASHIER = "bench_cashier"
UNITS_PER_BUILDING = 500


def _estate(code: str, name: str, units: int):
    """The estate with `units` occupied units of 100 m² (made once), its service fee item and
    ¥2.50/m²/month rate from 2020-01."""
    from fees.models import ChargeItem, Tariff
    from propserv.models import Building, Estate, Unit

    estate, _ = Estate.objects.get_or_create(code=code, defaults={"name": name})
    estate.service_settings  # noqa: B018 - creates the settings row with the defaults
    have = Unit.objects.filter(estate=estate).count()
    if have < units:
        say(f"{code}: making {units - have:,} units")
        buildings = {}
        batch = []
        for i in range(have, units):
            b = i // UNITS_PER_BUILDING + 1
            if b not in buildings:
                buildings[b] = Building.objects.get_or_create(estate=estate, code=str(b))[0]
            batch.append(
                Unit(
                    estate=estate,
                    building=buildings[b],
                    code=f"{b}-{(i % UNITS_PER_BUILDING) // 100 + 1}-{i % 100 + 101}",
                    floor=(i % 100) // 4 + 1,
                    area_m2=Decimal("100.00"),
                    status=Unit.Status.OCCUPIED,
                )
            )
            if len(batch) == 5000:
                Unit.objects.bulk_create(batch)
                batch = []
        Unit.objects.bulk_create(batch)
    item, _ = ChargeItem.objects.get_or_create(
        estate=estate, code="service", defaults={"name": "物业服务费", "kind": "area"}
    )
    if not Tariff.objects.filter(item=item).exists():
        Tariff.objects.create(
            estate=estate, item=item, rate=Decimal("2.50"), valid_from=dt.date(2020, 1, 1)
        )
    return estate, item


def _cashier(estates) -> str:
    """A front-desk user of the fees estates with an API token (the load runs as this user)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from propserv.models import StaffProfile
    from propserv.roles import Role

    user, created = get_user_model().objects.get_or_create(
        username=CASHIER, defaults={"email": f"{CASHIER}@bench.invalid", "first_name": "收费员"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=Role.FRONT_DESK)[0])
    StaffProfile.objects.get_or_create(user=user)[0].estates.add(*estates)
    Token.objects.filter(user=user).delete()  # a fresh one: tokens expire (API_TOKEN_TTL_DAYS)
    return Token.objects.create(user=user).key


def bench_billing(estate) -> dict:
    """One billing run of the next period not billed yet (the run's own code: start, then
    issue CHUNK units per transaction)."""
    from django.db.models import Max

    from fees import rules
    from fees.models import Charge
    from fees.services.billing import issue_run, start_run

    last = Charge.objects.filter(estate=estate).aggregate(p=Max("period"))["p"]
    period = rules.add_months(last, 1) if last else dt.date(2026, 1, 1)
    t0 = time.monotonic()
    run = issue_run(start_run(estate, period))
    seconds = time.monotonic() - t0
    say(f"billing {period:%Y-%m}: {run.charges_issued:,} charges in {seconds:.1f} s")
    return {"period": str(period), "charges": run.charges_issued, "seconds": round(seconds, 2)}


def _load_ageing_charges(estate, item, months: int) -> None:
    """36 months of ¥250 charges for every unit, in SQL. 6 units in 7 paid everything; the 7th
    owes its newest 1–36 months (the oldest of them half paid)."""
    from django.db import connection

    from fees.models import BillingRun
    from propserv.models import Unit

    missing = Unit.objects.filter(estate=estate, charges__isnull=True).count()
    if not missing:
        return
    say(f"{estate.code}: writing {months} months of charges for {missing:,} units (once)")
    t0 = time.monotonic()
    # The charges of a recurring item come from billing runs (months behind count those).
    run = BillingRun.objects.create(
        estate=estate, period=dt.date(2024, 1, 1), status=BillingRun.Status.DONE
    )
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO fees_charge (estate_id, unit_id, item_id, run_id, period, months, due_on,
                                     amount, paid, description, issued_at)
            SELECT u.estate_id, u.id, %(item)s, %(run)s, p.period, 1, p.period + 9, 250.00,
                   CASE WHEN u.id %% 7 <> 0 OR m < %(months)s - (u.id %% %(months)s) - 1
                          THEN 250.00
                        WHEN m = %(months)s - (u.id %% %(months)s) - 1 THEN 125.00
                        ELSE 0 END,
                   '', now()
            FROM propserv_unit u
            CROSS JOIN LATERAL (
                SELECT m, (%(first)s::date + make_interval(months => m))::date AS period
                FROM generate_series(0, %(months)s - 1) AS m
            ) p
            WHERE u.estate_id = %(estate)s
              AND NOT EXISTS (SELECT 1 FROM fees_charge c WHERE c.unit_id = u.id)
            """,
            {
                "item": item.pk,
                "run": run.pk,
                "months": months,
                "first": "2024-01-01",
                "estate": estate.pk,
            },
        )
        # As autovacuum would leave it: statistics, and the visibility map (index-only scans).
        cur.execute("VACUUM ANALYZE fees_charge")
    say(f"{estate.code}: charges written in {time.monotonic() - t0:.0f} s")


def bench_ageing(estate, item, months: int) -> dict:
    from fees import selectors
    from fees.models import Charge

    _load_ageing_charges(estate, item, months)
    today = dt.date(2026, 12, 20)
    query = selectors.ageing([estate.pk], today)
    list(query)  # warm-up
    times = []
    rows = 0
    for _ in range(5):
        t0 = time.monotonic()
        rows = len(list(selectors.ageing([estate.pk], today)))
        times.append(time.monotonic() - t0)
    plan = query.explain(analyze=True, buffers=True)
    say(f"ageing: {rows:,} units in arrears, median {statistics.median(times):.3f} s")
    return {
        "charges": Charge.objects.filter(estate=estate).count(),
        "open_charges": Charge.objects.open().filter(estate=estate).count(),
        "units_in_arrears": rows,
        "seconds": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
        "explain_analyze": plan,
        "sql": str(query.query),
    }


def payment_requests(estate, token: str, count: int) -> list[dict]:
    from propserv.models import Unit

    units = list(Unit.objects.filter(estate=estate).values_list("pk", flat=True)[:2000])
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    stamp = uuid.uuid4().hex[:12]
    return [
        {
            "method": "POST",
            "path": "/api/v1/payments/",
            "body": json.dumps(
                {
                    "unit": units[(i * 37) % len(units)],
                    "amount": "1.00",
                    "method": "wechat",
                    "reference": f"4200{stamp}{i:06d}",
                    "keep_credit": True,
                }
            ),
            "headers": {**headers, "Idempotency-Key": f"bench-{stamp}-{i}"},
        }
        for i in range(count)
    ]


def bench_payments(ctx: Context, estate, token: str) -> dict:
    """The bare create's saturation (its full ramp, as in the create suite), then the bare
    create and the payment posting each at half that rate."""
    from bench import suite_create

    duration = 8 if ctx.quick else 30
    out: dict = {}
    with ctx.web(ctx.args.bare_settings) as port:
        bare = suite_create.measure(ctx, port, suite_create.bare_requests(ctx), "bare DRF create")
        rate = max(5, round(bare["saturation_throughput"] / 2))
        # Connections the rate keeps busy: each is reused well within the server's 5-s
        # keep-alive (an idle one closed by the server would fail its next send).
        conns = min(64, max(8, 2 * rate))
        at_half = ctx.load(
            port,
            rate,
            duration,
            suite_create.bare_requests(ctx),
            expect=[201],
            drain=8,
            connections=conns,
        )
        out["bare"] = {"saturation_throughput": bare["saturation_throughput"], "at_rate": at_half}
    say(f"bare create saturation {bare['saturation_throughput']:.0f}/s → payments at {rate}/s")
    requests = payment_requests(estate, token, int(rate * duration) + 200)
    with ctx.web() as port:
        ctx.load(port, 10, 2, requests[-20:], expect=[201, 200])  # warm-up (replays later)
        out["payments"] = ctx.load(
            port, rate, duration, requests, expect=[201], drain=8, connections=conns
        )
    out["rate"] = rate
    lat = out["payments"]["latency_ms"]
    say(
        f"payments at {rate}/s: p50 {ms(lat['p50'])} p99 {ms(lat['p99'])}, "
        f"bare p99 {ms(at_half['latency_ms']['p99'])}, failed {out['payments']['failed']}"
    )
    return out


def run(ctx: Context) -> dict:
    from django.db import transaction

    quick = ctx.quick
    with transaction.atomic():
        bill_estate, _ = _estate(
            "FEE-BILL", "收费压测（计费）", BILL_UNITS_QUICK if quick else BILL_UNITS
        )
        age_estate, age_item = _estate(
            "FEE-AGE", "收费压测（账龄）", AGE_UNITS_QUICK if quick else AGE_UNITS
        )
        token = _cashier([bill_estate])
    result: dict = {"billing": bench_billing(bill_estate)}
    result["ageing"] = bench_ageing(age_estate, age_item, AGE_MONTHS)
    if not getattr(ctx.args, "no_bare", False):
        result["payments"] = bench_payments(ctx, bill_estate, token)
    billing, ageing = result["billing"], result["ageing"]
    units_billed = BILL_UNITS_QUICK if quick else BILL_UNITS
    aged = AGE_UNITS_QUICK if quick else AGE_UNITS
    rows = [
        row(
            f"fees: billing run, {units_billed:,} units",
            f"{billing['seconds']:.1f} s ({billing['charges']:,} charges)",
            f"≤ {TARGET_BILL_S} s",
            billing["seconds"] <= TARGET_BILL_S,
        ),
        row(
            f"fees: arrears ageing, {aged:,} units × {AGE_MONTHS} months",
            f"{ageing['median_s']:.3f} s ({ageing['units_in_arrears']:,} units owing, "
            f"{ageing['open_charges']:,} open charges)",
            f"≤ {TARGET_AGEING_S} s",
            ageing["median_s"] <= TARGET_AGEING_S,
        ),
    ]
    if "payments" in result:
        pay = result["payments"]
        p99 = pay["payments"]["latency_ms"]["p99"]
        bare_p99 = pay["bare"]["at_rate"]["latency_ms"]["p99"]
        failed = pay["payments"]["failed"]
        ratio = (p99 / bare_p99) if p99 and bare_p99 else None
        rows.append(
            row(
                f"fees: payment p99 / bare create p99 at {pay['rate']}/s",
                f"{ms(p99)} / {ms(bare_p99)}"
                + (f" = {ratio:.2f}×" if ratio else "")
                + (f" ({failed} failed)" if failed else ""),
                f"≤ {TARGET_P99_RATIO}×",
                ratio is not None and ratio <= TARGET_P99_RATIO and failed == 0,
            )
        )
    result["rows"] = rows
    return result
