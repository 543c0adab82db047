"""The bench database: estates, staff, units, categories, then N repairs with their deadline rows,
generated in PostgreSQL with INSERT … SELECT generate_series (50,000 repairs per statement).

Runs inside run.py after django.setup() on the bench database. Loading is resumable and done once:
the progress lives in a small `bench_meta` table of the bench database, so later runs reuse it.

Shape of the data (all deterministic from the row number g = 1..N):
- 5 estates × 2,000 units; repairs spread evenly over the estates and over the past N minutes
  (1,000,000 repairs ≈ 1.9 years, ids ascending with time), 15 % in urgent categories;
- 98.5 % closed with arrival, completion and callback deadlines met (1 in 31 arrivals late,
  so breached then met), 1.5 % cancelled (deadlines cancelled);
- the newest `open_n` (300) repairs still open: received, dispatched, on site, in progress, on hold
  or completed-awaiting-callback. Their open deadlines are due a year after loading (an agreed
  time), so nothing a later run does (beat, sweep) ever fires them; the breach suite makes its own.
"""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bench.lib import say
from propserv.authentication import token_expired
from propserv.models import Building, Estate, StaffProfile, Unit
from propserv.roles import Role
from tickets.demo import ensure_reference_data
from tickets.models import Repair, RepairCategory

ESTATES = [
    ("BENCH-A", "基准花园A"),
    ("BENCH-B", "基准花园B"),
    ("BENCH-C", "基准花园C"),
    ("BENCH-D", "基准花园D"),
    ("BENCH-E", "基准花园E"),
]
LOAD_USER = "bench_frontdesk"  # front desk of BENCH-A and BENCH-B: the API load runs as this user
LOAD_USER_ESTATES = 2
UNITS_PER_ESTATE = 2000  # 10 buildings × 2 entrances × 25 floors × 4 flats
# Category of repair g, by (g / estates) % 20: 3 of 20 urgent (water, electricity, gas) = 15 %.
CATEGORY_SLOTS = [
    "water",
    "electricity",
    "gas",
    "drainage",
    "drainage",
    "lift",
    "doors-windows",
    "doors-windows",
    "doors-windows",
    "lighting",
    "lighting",
    "lighting",
    "plumbing",
    "plumbing",
    "plumbing",
    "wall",
    "wall",
    "other",
    "other",
    "lift",
]
CHUNK = 50_000
SPACING_S = 60  # one repair a minute, across all estates
OPEN_N = 300


def unit_code(i: int) -> str:
    building, rest = divmod(i, 200)
    entrance, rest = divmod(rest, 100)
    floor, flat = divmod(rest, 4)
    return f"{building + 1}-{entrance + 1}-{floor + 1}{flat + 1:02d}"


def _meta(key: str):
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)"
        )
        cur.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
        found = cur.fetchone()
    if found is None:
        return None
    import json

    return json.loads(found[0]) if isinstance(found[0], str) else found[0]


def _set_meta(key: str, value) -> None:
    import json

    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_meta (key, value) VALUES (%s, %s::jsonb) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, json.dumps(value)],
        )


@transaction.atomic
def fixtures() -> dict:
    """Estates, units, categories, staff and the load user's API token (idempotent)."""
    User = get_user_model()
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}

    def staff(username: str, role: str, estates: list[Estate]):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@bench.invalid", "first_name": username},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(groups[role])
        profile, _ = StaffProfile.objects.get_or_create(user=user)
        profile.estates.add(*estates)
        return user

    estates = []
    for code, name in ESTATES:
        estate, _ = Estate.objects.get_or_create(code=code, defaults={"name": name})
        estate.service_settings  # noqa: B018 - creates the settings row with the defaults
        ensure_reference_data(estate)
        if not Unit.objects.filter(estate=estate).exists():
            buildings = {
                b: Building.objects.get_or_create(estate=estate, code=str(b))[0]
                for b in range(1, 11)
            }
            Unit.objects.bulk_create(
                Unit(
                    estate=estate,
                    building=buildings[i // 200 + 1],
                    code=unit_code(i),
                    floor=(i % 100) // 4 + 1,
                    area_m2=90,
                    status=Unit.Status.OCCUPIED,
                )
                for i in range(UNITS_PER_ESTATE)
            )
        slug = code.lower()
        for n in range(1, 4):
            staff(f"fd_{slug}_{n}", Role.FRONT_DESK, [estate])
            staff(f"tech_{slug}_{n}", Role.TECHNICIAN, [estate])
        staff(f"sup_{slug}", Role.SUPERVISOR, [estate])
        staff(f"pm_{slug}", Role.PROJECT_MANAGER, [estate])
        estates.append(estate)
    load_user = staff(LOAD_USER, Role.FRONT_DESK, estates[:LOAD_USER_ESTATES])
    token, _ = Token.objects.get_or_create(user=load_user)
    if token_expired(
        token.created
    ):  # API tokens live API_TOKEN_TTL_DAYS; a reused database's may not
        token.delete()
        token = Token.objects.create(user=load_user)
    return {
        "estates": [{"code": e.code, "id": e.pk} for e in estates],
        "load_user": LOAD_USER,
        "token": token.key,
        "unit_codes": [unit_code(i) for i in range(0, UNITS_PER_ESTATE, 7)],
        "categories": sorted({c for c in CATEGORY_SLOTS}),
        "urgent_categories": sorted(
            RepairCategory.objects.filter(estate=estates[0], urgent=True).values_list(
                "code", flat=True
            )
        ),
    }


def _temp_tables(estates: list[Estate]) -> None:
    User = get_user_model()
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_est (ei int PRIMARY KEY, estate_id bigint, "
            "frontdesk_id int, technician_id int)"
        )
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_cat (ei int, slot int, category_id bigint, "
            "urgent bool, PRIMARY KEY (ei, slot))"
        )
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_unit (ei int, slot int, unit_id bigint, "
            "PRIMARY KEY (ei, slot))"
        )
        cur.execute("TRUNCATE bench_est, bench_cat, bench_unit")
        for ei, estate in enumerate(estates):
            slug = estate.code.lower()
            fd = User.objects.get(username=f"fd_{slug}_1").pk
            tech = User.objects.get(username=f"tech_{slug}_1").pk
            cur.execute("INSERT INTO bench_est VALUES (%s, %s, %s, %s)", [ei, estate.pk, fd, tech])
            cats = {c.code: c for c in RepairCategory.objects.filter(estate=estate)}
            for slot, code in enumerate(CATEGORY_SLOTS):
                cur.execute(
                    "INSERT INTO bench_cat VALUES (%s, %s, %s, %s)",
                    [ei, slot, cats[code].pk, cats[code].urgent],
                )
            units = dict(Unit.objects.filter(estate=estate).values_list("code", "pk"))
            cur.executemany(
                "INSERT INTO bench_unit VALUES (%s, %s, %s)",
                [(ei, i, units[unit_code(i)]) for i in range(UNITS_PER_ESTATE)],
            )


# One statement per chunk: the repairs, then their arrival, completion and callback deadlines from
# the RETURNING rows. %(…)s are parameters; {E}/{U} are the fixed sizes.
CHUNK_SQL = """
WITH src AS (
    SELECT g, g %% {E} AS ei,
           %(t_load)s::timestamptz - make_interval(secs => ((%(n)s - g) * {S} + 600)::float8) AS r,
           g > %(n)s - %(open_n)s AS is_open,
           g %% 67 = 0 AS is_cancelled,
           g %% 31 = 0 AS late,
           g %% 19 = 0 AS difficult
    FROM generate_series(%(a)s::bigint, %(b)s::bigint) AS g
), p AS (
    SELECT s.*, e.estate_id, e.frontdesk_id, e.technician_id, c.category_id, c.urgent, u.unit_id,
           CASE WHEN s.is_open THEN (ARRAY['received', 'dispatched', 'on_site', 'in_progress',
                                           'on_hold', 'completed'])[1 + (s.g %% 6)::int]
                WHEN s.is_cancelled THEN 'cancelled' ELSE 'closed' END AS status,
           CASE WHEN c.urgent THEN 15 ELSE 30 END AS arrival_min
    FROM src s
    JOIN bench_est e ON e.ei = s.ei
    JOIN bench_cat c ON c.ei = s.ei AND c.slot = (s.g / {E}) %% 20
    JOIN bench_unit u ON u.ei = s.ei AND u.slot = (s.g * 7919) %% {U}
), t AS (
    SELECT p.*,
           CASE WHEN status IN ('received', 'cancelled') THEN NULL
                ELSE r + interval '3 minutes' END AS disp,
           CASE WHEN status IN ('received', 'dispatched', 'cancelled') THEN NULL
                WHEN late AND status = 'closed' THEN r + make_interval(mins => arrival_min + 7)
                ELSE r + make_interval(mins => arrival_min - 8) END AS arr
    FROM p
), t2 AS (
    SELECT t.*,
           arr + interval '2 minutes' AS work_start,
           CASE WHEN status IN ('closed', 'completed')
                THEN arr + CASE WHEN difficult THEN interval '30 hours'
                                ELSE interval '50 minutes' END END AS comp
    FROM t
), t3 AS (
    SELECT t2.*, CASE WHEN status = 'closed' THEN comp + interval '26 hours' END AS closed
    FROM t2
), ins AS (
    INSERT INTO tickets_repair (
        tracking_code, location, reporter_name, reporter_phone, channel, urgent, urgency_reason,
        difficulty, description, preferred_visit_at, status, received_at, dispatched_at,
        arrived_at, started_at, completed_at, closed_at, hold_reason, hold_until, cancel_reason,
        chargeable, quoted_amount, consent_at, consent_by, labour_minutes, materials, fee,
        signed_by, reopen_count, created_at, estate_id, received_by_id, reporter_id,
        technician_id, unit_id, category_id)
    SELECT 'BN' || lpad(g::text, 8, '0'), '', '住户' || (g %% 997), '139' || lpad((g %% 100000000)::text, 8, '0'),
           (ARRAY['phone', 'walk_in', 'web', 'patrol'])[1 + (g %% 4)::int], urgent, '',
           CASE WHEN difficult THEN 'difficult' ELSE 'general' END,
           '厨房水龙头漏水，楼下天花板有水渍，请尽快安排师傅上门查看。#' || g, NULL, status, r, disp,
           arr, work_start, comp, closed,
           CASE WHEN status = 'on_hold' THEN '等待配件' ELSE '' END,
           CASE WHEN status = 'on_hold' THEN %(far)s::timestamptz END,
           CASE WHEN status = 'cancelled' THEN '住户取消' ELSE '' END,
           false, NULL, NULL, '', CASE WHEN comp IS NOT NULL THEN 45 END, '', NULL,
           CASE WHEN comp IS NOT NULL THEN '住户' ELSE '' END, 0, r, estate_id, frontdesk_id, NULL,
           CASE WHEN disp IS NOT NULL THEN technician_id END, unit_id, category_id
    FROM t3
    RETURNING id, estate_id, status, urgent, difficulty, received_at, arrived_at, completed_at,
              closed_at
), d AS (
    -- arrival (every repair), completion (every repair), callback (closed or completed)
    SELECT ins.id, ins.estate_id, k.kind, k.started, k.due, k.met, k.unit, k.amount,
           ins.status = 'cancelled' AS cancelled, k.open
    FROM ins
    CROSS JOIN LATERAL (VALUES
        ('repair.arrival', ins.received_at,
         CASE WHEN ins.status IN ('received', 'dispatched') THEN %(far)s::timestamptz
              ELSE ins.received_at + make_interval(mins => CASE WHEN ins.urgent THEN 15 ELSE 30 END) END,
         ins.arrived_at, 'minutes', CASE WHEN ins.urgent THEN 15 ELSE 30 END,
         ins.status IN ('received', 'dispatched')),
        ('repair.completion', ins.received_at,
         CASE WHEN ins.status IN ('received', 'dispatched', 'on_site', 'in_progress', 'on_hold')
              THEN %(far)s::timestamptz
              ELSE ins.received_at + make_interval(hours => CASE WHEN ins.difficulty = 'difficult' THEN 72 ELSE 2 END) END,
         ins.completed_at, 'hours', CASE WHEN ins.difficulty = 'difficult' THEN 72 ELSE 2 END,
         ins.status IN ('received', 'dispatched', 'on_site', 'in_progress', 'on_hold')),
        ('repair.callback', ins.completed_at,
         CASE WHEN ins.status = 'completed' THEN %(far)s::timestamptz
              ELSE ins.completed_at + interval '48 hours' END,
         ins.closed_at, 'hours', 48, ins.status = 'completed')
    ) AS k(kind, started, due, met, unit, amount, open)
    WHERE k.started IS NOT NULL
)
INSERT INTO propserv_deadline (
    object_id, kind, started_at, due_at, warn_at, warned_at, met_at, breached_at, cancelled_at,
    escalation_level, max_escalation_level, escalation_step, next_check_at, working_days,
    provisional, rule, created_at, content_type_id, estate_id)
SELECT id, kind, started, due, started + (due - started) * 0.67,
       CASE WHEN met > due THEN started + (due - started) * 0.67 + interval '1 second' END,
       met,
       CASE WHEN met > due THEN due + interval '3 seconds' END,
       CASE WHEN cancelled THEN started + interval '5 minutes' END,
       CASE WHEN met > due THEN 1 ELSE 0 END, 2, interval '30 minutes',
       CASE WHEN open THEN started + (due - started) * 0.67 END,
       false, false,
       CASE WHEN open THEN jsonb_build_object('unit', 'at', 'due_at', %(far_iso)s)
            ELSE jsonb_build_object('unit', unit, 'amount', amount) END,
       started, %(ct)s, estate_id
FROM d
"""


def ensure(n_repairs: int) -> dict:
    """Fixtures, then load (or finish loading) `n_repairs` repairs; returns what suites need."""
    data = fixtures()
    estates = [Estate.objects.get(pk=e["id"]) for e in data["estates"]]
    meta = _meta("load")
    if meta is None:
        t_load = timezone.now().replace(microsecond=0)
        meta = {"n": n_repairs, "t_load": t_load.isoformat(), "done": 0}
        _set_meta("load", meta)
    if meta["n"] != n_repairs:
        raise SystemExit(
            f"this bench database was loaded with {meta['n']} repairs, not {n_repairs}; "
            "use --db-name for another size"
        )
    t_load = dt.datetime.fromisoformat(meta["t_load"])
    far = t_load + dt.timedelta(days=365)
    if meta["done"] < n_repairs:
        _temp_tables(estates)
        sql = CHUNK_SQL.format(E=len(estates), U=UNITS_PER_ESTATE, S=SPACING_S)
        params = {
            "t_load": t_load,
            "n": n_repairs,
            "open_n": OPEN_N,
            "far": far,
            "far_iso": timezone.localtime(far).isoformat(),
            "ct": ContentType.objects.get_for_model(Repair).pk,
        }
        t0 = time.monotonic()
        first = meta["done"] + 1
        for a in range(first, n_repairs + 1, CHUNK):
            b = min(a + CHUNK - 1, n_repairs)
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit = off")
                cur.execute(sql, {**params, "a": a, "b": b})
                meta["done"] = b
                _set_meta("load", meta)
            rate = (b - first + 1) / (time.monotonic() - t0)
            say(
                f"loaded {b:,}/{n_repairs:,} repairs with their deadlines "
                f"({rate:,.0f} repairs/s, {(n_repairs - b) / rate:.0f} s to go)"
            )
        with connection.cursor() as cur:
            cur.execute("SELECT max(id) FROM tickets_repair")
            meta["base_max_id"] = cur.fetchone()[0]
        _set_meta("load", meta)
        say("VACUUM ANALYZE of the loaded tables…")
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE tickets_repair")
            cur.execute("VACUUM ANALYZE propserv_deadline")
        say(f"loaded in {time.monotonic() - t0:.0f} s")
    data["load"] = meta
    return data


def quiesce(base_max_id: int) -> dict:
    """Leave nothing for a sweep to do and keep the data shaped as loaded: the repairs a run made
    (ids above the loaded ones) are closed — as 98.5 % of the loaded ones are, so they do not pile
    up as a block of one untypical status at the newest ids, where every list query starts — and
    their open deadlines met; any other deadline due within 30 days is cancelled; sweep-suite rows
    are removed."""
    now = timezone.now()
    ct = ContentType.objects.get_for_model(Repair).pk
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM propserv_deadline WHERE kind = 'bench.sweep'")
        swept = cur.rowcount
        cur.execute(
            "UPDATE propserv_deadline SET met_at = %s, next_check_at = NULL "
            "WHERE content_type_id = %s AND object_id > %s "
            "AND met_at IS NULL AND cancelled_at IS NULL",
            [now, ct, base_max_id],
        )
        met = cur.rowcount
        cur.execute(
            "UPDATE propserv_deadline SET cancelled_at = %s, next_check_at = NULL "
            "WHERE next_check_at IS NOT NULL AND next_check_at < %s",
            [now, now + dt.timedelta(days=30)],
        )
        cancelled = cur.rowcount
        cur.execute(
            "UPDATE tickets_repair SET status = 'closed', closed_at = coalesce(closed_at, %s) "
            "WHERE id > %s AND status <> 'closed'",
            [now, base_max_id],
        )
        repairs = cur.rowcount
    return {
        "sweep_rows_deleted": swept,
        "deadlines_met": met,
        "deadlines_cancelled": cancelled,
        "repairs_closed": repairs,
    }


def counts() -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM tickets_repair")
        repairs = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE met_at IS NULL AND cancelled_at IS NULL), "
            "count(*) FILTER (WHERE next_check_at IS NOT NULL) FROM propserv_deadline"
        )
        deadlines, open_, scheduled = cur.fetchone()
    return {
        "repairs": repairs,
        "deadlines": deadlines,
        "open_deadlines": open_,
        "deadlines_with_next_check": scheduled,
    }
