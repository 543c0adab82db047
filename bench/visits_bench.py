"""Issue 5 speed figures: the residents' report form and the front desk's type-ahead.

    make bench BENCH_ARGS=--only=visits_bench       # or --only=visits (every bench/visits_*.py)

Run by bench/run.py with `run(ctx)` (django.setup() done on the bench database, the server on one
core, the open-loop load generator on the other; see bench/README.md).

- Form submit: POST /report/<estate>/ exactly as a phone sends it (CSRF cookie and token, no
  photos), each request from its own resident address and phone, so the real rate limits (four
  Redis counters per submit) run without refusing anyone: the server runs with BEHIND_PROXY=1 and
  each request carries its X-Forwarded-For, as a reverse proxy would add it. Every answer must be
  the 302 to the tracking page. Target p99 ≤ 50 ms at 50 requests/s.
- Type-ahead: GET /visits/lookup.json?q=… as a logged-in front desk whose estate has 100,000
  residents, with a mix of unit-code prefixes, surname prefixes, the last four digits of a phone
  and phone prefixes. Target p99 ≤ 30 ms at 20 requests/s.

The data (estate VBENCH, 25,000 units, 100,000 residents) is made once with INSERT … SELECT
generate_series and reused by later runs; the repairs the form creates stay in the bench database.
"""

from __future__ import annotations

import http.client
import random
import re
import urllib.parse

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client

from bench.lib import HOST, Context, ms, row, say
from propserv.models import Building, Estate, Resident, StaffProfile, Unit
from propserv.roles import Role
from tickets.demo import ensure_reference_data

ESTATE_CODE = "VBENCH"
USER = "bench_visits_frontdesk"
BUILDINGS = 125  # × 2 entrances × 25 floors × 4 flats = 25,000 units
RESIDENTS = 100_000  # 4 per unit
SUBMIT_RATE, SUBMIT_P99_MS = 50, 50
LOOKUP_RATE, LOOKUP_P99_MS = 20, 30
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华红建国志"


def unit_code(i: int) -> str:
    building, rest = divmod(i, 200)
    entrance, rest = divmod(rest, 100)
    floor, flat = divmod(rest, 4)
    return f"{building + 1}-{entrance + 1}-{floor + 1}{flat + 1:02d}"


def ensure_data() -> dict:
    """The bench estate with its 100,000 residents, made once."""
    estate, _ = Estate.objects.get_or_create(
        code=ESTATE_CODE,
        defaults={
            "name": "访客压测花园",
            "emergency_phone": "0755-86009999",
            "service_phone": "0755-86001234",
        },
    )
    ensure_reference_data(estate)
    user, created = get_user_model().objects.get_or_create(username=USER)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.FRONT_DESK)[0])
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.estates.set([estate])
    if Resident.objects.filter(estate=estate).count() >= RESIDENTS:
        return {"estate": estate, "user": user}
    say(f"visits: loading {RESIDENTS:,} residents into {ESTATE_CODE} (once)")
    with transaction.atomic():
        Building.objects.bulk_create(
            [Building(estate=estate, code=str(b + 1), floors=25) for b in range(BUILDINGS)],
            ignore_conflicts=True,
        )
        buildings = dict(Building.objects.filter(estate=estate).values_list("code", "pk"))
        Unit.objects.bulk_create(
            [
                Unit(
                    estate=estate,
                    building_id=buildings[str(i // 200 + 1)],
                    code=unit_code(i),
                    floor=(i % 100) // 4 + 1,
                    area_m2=89,
                    status=Unit.Status.OCCUPIED,
                )
                for i in range(BUILDINGS * 200)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        with connection.cursor() as cur:
            cur.execute("DELETE FROM propserv_resident WHERE estate_id = %s", [estate.pk])
            # Four residents per unit: owner, family, family, tenant; names and phones spread.
            cur.execute(
                """
                INSERT INTO propserv_resident
                    (estate_id, unit_id, name, phone, phone_invalid, role)
                SELECT %(estate)s, u.id,
                       substr(%(surnames)s::text, (1 + g * 7919 %% length(%(surnames)s::text))::int, 1)
                         || substr(%(given)s::text, (1 + g * 104729 %% length(%(given)s::text))::int, 1)
                         || substr(%(given)s::text, (1 + g * 1299709 %% length(%(given)s::text))::int, 1),
                       '13' || lpad(((g * 2654435761) %% 1000000000)::text, 9, '0'),
                       false,
                       CASE g %% 4 WHEN 0 THEN 'owner' WHEN 3 THEN 'tenant' ELSE 'family' END
                FROM generate_series(0::bigint, %(n)s - 1) AS g
                JOIN LATERAL (
                    SELECT id FROM propserv_unit
                    WHERE estate_id = %(estate)s AND code = %(code_expr)s
                ) u ON true
                """.replace(
                    "%(code_expr)s",
                    "(g / 4 / 200 + 1)::text || '-' || ((g / 4) %% 200 / 100 + 1)::text || '-' "
                    "|| ((g / 4) %% 100 / 4 + 1)::text || lpad(((g / 4) %% 4 + 1)::text, 2, '0')",
                ),
                {"estate": estate.pk, "surnames": SURNAMES, "given": GIVEN, "n": RESIDENTS},
            )
        cur = connection.cursor()
        cur.execute("ANALYZE propserv_resident")
        cur.execute("ANALYZE propserv_unit")
    count = Resident.objects.filter(estate=estate).count()
    say(f"visits: {count:,} residents in {ESTATE_CODE}")
    return {"estate": estate, "user": user}


def _csrf(port: int, estate: Estate) -> tuple[str, str]:
    """A real CSRF cookie and form token, fetched like a phone does."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", f"/report/{estate.code}/")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie", "")
    conn.close()
    secret = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return secret, token


def submit_requests(estate: Estate, cookie: str, token: str, count: int) -> list[dict]:
    from tickets.models import RepairCategory

    categories = list(
        RepairCategory.objects.filter(estate=estate, urgent=False).values_list("pk", flat=True)
    )
    rng = random.Random(5)
    out = []
    for i in range(count):
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "unit_code": unit_code(rng.randrange(BUILDINGS * 200)),
                "name": "王女士",
                "phone": f"1370{i:07d}",
                "category": categories[i % len(categories)],
                "description": f"卫生间地漏返水，有异味，请派师傅检查。（压测 {i}）",
                "website": "",
                "submission": "",
            }
        )
        out.append(
            {
                "method": "POST",
                "path": f"/report/{estate.code}/",
                "body": body,
                "headers": {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie}",
                    "X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                },
            }
        )
    return out


def lookup_requests(estate: Estate, session: str, count: int = 600) -> list[dict]:
    rng = random.Random(7)
    phones = list(
        Resident.objects.filter(estate=estate).order_by("?").values_list("phone", flat=True)[:200]
    )
    queries = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            code = unit_code(rng.randrange(BUILDINGS * 200))
            queries.append(code[: rng.choice([4, 6, len(code)])])
        elif kind == 1:
            queries.append(rng.choice(SURNAMES) + rng.choice(["", rng.choice(GIVEN)]))
        elif kind == 2:
            queries.append(rng.choice(phones)[-4:])
        elif kind == 3:
            queries.append(rng.choice(phones)[:7])
        else:
            queries.append(f"{rng.randrange(1, 126)}-{rng.randrange(1, 3)}-")
    return [
        {
            "method": "GET",
            "path": "/visits/lookup.json?" + urllib.parse.urlencode({"q": q}),
            "headers": {"Cookie": f"sessionid={session}", "Accept": "application/json"},
        }
        for q in queries
    ]


def run(ctx: Context) -> dict:
    data = ensure_data()
    estate, user = data["estate"], data["user"]
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    duration = 8 if ctx.quick else 30
    result: dict = {}
    env_before = ctx.env
    ctx.env = {**ctx.env, "BEHIND_PROXY": "1"}  # trust X-Forwarded-For, as behind our proxy
    try:
        with ctx.web() as port:
            cookie, token = _csrf(port, estate)
            submits = submit_requests(estate, cookie, token, SUBMIT_RATE * duration + 200)
            ctx.load(port, 10, 2, submits[-100:], expect=[302])  # warm-up
            result["submit"] = ctx.load(port, SUBMIT_RATE, duration, submits, expect=[302])
            lookups = lookup_requests(estate, session)
            ctx.load(port, 10, 2, lookups, expect=[200])  # warm-up
            result["lookup"] = ctx.load(port, LOOKUP_RATE, duration, lookups, expect=[200])
    finally:
        ctx.env = env_before
    submit, lookup = result["submit"], result["lookup"]
    s99, l99 = submit["latency_ms"]["p99"], lookup["latency_ms"]["p99"]
    say(f"visits: submit p99 {ms(s99)} (failed {submit['failed']}), lookup p99 {ms(l99)}")
    result["rows"] = [
        row(
            f"visits: report form submit p50 / p99 at {SUBMIT_RATE}/s",
            f"{ms(submit['latency_ms']['p50'])} / {ms(s99)}"
            + (f" ({submit['failed']} failed)" if submit["failed"] else ""),
            f"p99 ≤ {SUBMIT_P99_MS} ms",
            s99 is not None and s99 <= SUBMIT_P99_MS and not submit["failed"],
        ),
        row(
            f"visits: type-ahead p50 / p99 at {LOOKUP_RATE}/s, {RESIDENTS:,} residents",
            f"{ms(lookup['latency_ms']['p50'])} / {ms(l99)}"
            + (f" ({lookup['failed']} failed)" if lookup["failed"] else ""),
            f"p99 ≤ {LOOKUP_P99_MS} ms",
            l99 is not None and l99 <= LOOKUP_P99_MS and not lookup["failed"],
        ),
    ]
    return result


if __name__ == "__main__":
    raise SystemExit("Run through bench/run.py: make bench BENCH_ARGS=--only=visits_bench")
