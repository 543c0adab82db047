"""Where the time of a list and a create request goes, and what the fixes proposed in
bench/README.md ("Findings") would save — measured without editing the application: the fixes are
applied in this process only, as temporary patches, and compared with the code as shipped.

    python -m bench.diag   (run by run.py as the `diag` suite, pinned to the server core)

Requests go through django.test.Client (middleware, token auth, DRF, serializers, the database):
everything of a real request except HTTP and gunicorn. Shipped and patched runs alternate in
small batches so that a busy machine slows both alike. Prints one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ROUNDS, BATCH = (2, 5) if os.environ.get("BENCH_QUICK") else (5, 10)
INSERT_NOTIFICATIONS = (
    "INSERT INTO propserv_notification"
    " (recipient_id, estate_id, level, title, body, url, dedupe_key, created_at) VALUES <rows>"
)


# --- the proposed fixes, as patches -------------------------------------------------------------


@contextlib.contextmanager
def patched_list_serializer():
    """Fix 1: the deadlines of a page prefetched into a plain, already ordered list
    (`Prefetch("deadlines", queryset=…order_by("started_at", "pk"), to_attr="deadline_list")`):
    without to_attr Django builds a filtered queryset per repair just to hold its cache. Each
    deadline is then rendered by the app's own `deadline_representation` when it has one (plain
    dicts, applied in 3f8ed92), else by one DeadlineSerializer per request instead of a new
    ModelSerializer — whose fields DRF rebuilds by model introspection — per repair."""
    from django.db.models import Prefetch
    from django.utils import timezone

    from propserv.models import Deadline
    from tickets import api
    from tickets import serializers as s

    original_get = s.RepairSerializer.get_deadlines
    original_qs = api.RepairViewSet.queryset
    represent = getattr(s, "deadline_representation", None)

    def get_deadlines(self, obj):
        deadlines = getattr(obj, "deadline_list", None)
        if deadlines is None:
            deadlines = sorted(obj.deadlines.all(), key=lambda d: (d.started_at, d.pk))
        if represent is not None:
            now = timezone.now()
            return [represent(d, now) for d in deadlines]
        child = self.__dict__.get("_bench_deadline_child")
        if child is None:
            child = self.__dict__["_bench_deadline_child"] = s.DeadlineSerializer()
        return [child.to_representation(d) for d in deadlines]

    s.RepairSerializer.get_deadlines = get_deadlines
    api.RepairViewSet.queryset = original_qs.model.objects.select_related(
        "estate", "unit", "category", "technician"
    ).prefetch_related(
        Prefetch(
            "deadlines",
            queryset=Deadline.objects.order_by("started_at", "pk"),
            to_attr="deadline_list",
        )
    )
    try:
        yield
    finally:
        s.RepairSerializer.get_deadlines = original_get
        api.RepairViewSet.queryset = original_qs


@contextlib.contextmanager
def patched_create():
    """Fixes 2-4:
    2. Repair.full_clean() without re-checking foreign keys the service just loaded (one SELECT
       each) and without CheckConstraint.validate (one SAVEPOINT + SELECT + RELEASE each): the
       service already checks unit/location, and PostgreSQL enforces the constraints anyway;
    3. the estate's settings row read once per request, not by every deadline_open();
    4. notify(): all recipients in one INSERT … ON CONFLICT DO NOTHING RETURNING id instead of a
       get_or_create (SELECT, SAVEPOINT, INSERT, RELEASE) per recipient."""
    from django.db import connection, transaction
    from django.utils import timezone

    from propserv import deadlines, notifications
    from propserv.models import Estate, EstateSettings
    from tickets.models import Repair
    from tickets.services import repairs

    original_clean = Repair.full_clean
    original_settings = Estate.service_settings
    original_notify = notifications.notify

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        fks = [f.name for f in self._meta.concrete_fields if f.is_relation]
        return original_clean(
            self,
            exclude=[*(exclude or []), *fks],
            validate_unique=False,
            validate_constraints=False,
        )

    def service_settings(self):
        cached = self.__dict__.get("_bench_settings")
        if cached is None:
            cached = self.__dict__["_bench_settings"] = EstateSettings.objects.get_or_create(
                estate=self
            )[0]
        return cached

    def notify(recipients, *, title, body="", url="", estate=None, level="info", dedupe_key=""):
        users, seen = [], set()
        for user in recipients:
            if user.pk not in seen and user.is_active:
                seen.add(user.pk)
                users.append(user)
        if not users:
            return []
        now = timezone.now()
        rows = [
            (
                u.pk,
                estate.pk if estate else None,
                level,
                str(title)[:200],
                str(body),
                url,
                dedupe_key,
                now,
            )
            for u in users
        ]
        conflict = " ON CONFLICT (recipient_id, dedupe_key) WHERE NOT dedupe_key = '' DO NOTHING"
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        # Only placeholders are put into the statement; the values go as parameters.
        sql = INSERT_NOTIFICATIONS.replace("<rows>", placeholders)
        sql += (conflict if dedupe_key else "") + " RETURNING id"
        with connection.cursor() as cur:
            cur.execute(sql, [value for r in rows for value in r])
            ids = [r[0] for r in cur.fetchall()]
        if ids:
            transaction.on_commit(lambda: notifications._deliver(ids))
        return ids

    Repair.full_clean = full_clean
    Estate.service_settings = property(service_settings)
    repairs.notify = notify
    deadlines.notify = notify
    try:
        yield
    finally:
        Repair.full_clean = original_clean
        Estate.service_settings = original_settings
        repairs.notify = original_notify
        deadlines.notify = original_notify


@contextlib.contextmanager
def patched_scope():
    """Fix 5: scope by the user's estate ids as a literal list (`estate_id IN (1, 2)`, the ids
    read once per request) instead of joining estate → staff profile → user in every scoped
    query, and no DISTINCT from the status filter (django-filter's MultipleChoiceFilter defaults
    to distinct=True; a repair has one estate, so the join cannot duplicate rows). PostgreSQL
    then plans the list query in ~2 ms instead of 15-55 ms, and knows how many rows match."""
    from propserv import models as core
    from propserv.models import Estate, EstateScopedQuerySet
    from tickets.api import RepairFilter

    already_by_ids = hasattr(core, "estate_ids_of")  # applied in 3f8ed92
    original_for_user = EstateScopedQuerySet.for_user
    status_filter = RepairFilter.base_filters["status"]
    original_distinct = status_filter.distinct

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        ids = user.__dict__.get("_bench_estate_ids")
        if ids is None:
            ids = user.__dict__["_bench_estate_ids"] = list(
                Estate.objects.filter(staff__user=user).values_list("pk", flat=True)
            )
        return self.filter(**{f"{self.estate_field}__in": ids})

    if not already_by_ids:
        EstateScopedQuerySet.for_user = for_user
    status_filter.distinct = False
    try:
        yield
    finally:
        EstateScopedQuerySet.for_user = original_for_user
        status_filter.distinct = original_distinct


def combined(*patches):
    """Several patches as one context-manager factory."""

    @contextlib.contextmanager
    def patch():
        with contextlib.ExitStack() as stack:
            for p in patches:
                stack.enter_context(p())
            yield

    return patch


# --- measuring ----------------------------------------------------------------------------------


def measure(variants: dict, make_request) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.lib import stats

    times = {name: [] for name in variants}
    queries = {name: set() for name in variants}
    for patch in variants.values():  # warm each variant once
        with patch():
            make_request(0)
    i = 0
    for _ in range(ROUNDS):
        for name, patch in variants.items():
            with patch():
                for _ in range(BATCH):
                    i += 1
                    with CaptureQueriesContext(connection) as captured:
                        t0 = time.perf_counter()
                        make_request(i)
                        times[name].append((time.perf_counter() - t0) * 1000)
                    queries[name].add(len(captured.captured_queries))
    return {name: {"ms": stats(times[name]), "queries": sorted(queries[name])} for name in variants}


def explain_ms(cur, sql: str, runs: int = 5) -> dict:
    """Median server-side planning and execution time of `sql` (EXPLAIN ANALYZE)."""
    import re
    import statistics

    planning, execution = [], []
    for _ in range(runs):
        cur.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql)
        text = "\n".join(r[0] for r in cur.fetchall())
        planning.append(float(re.search(r"Planning Time: ([\d.]+) ms", text).group(1)))
        execution.append(float(re.search(r"Execution Time: ([\d.]+) ms", text).group(1)))
    return {"planning": statistics.median(planning), "execution": statistics.median(execution)}


def list_sql_experiment(client, user) -> dict:
    """Fix 5, in SQL, for the main list query of every filter mix:
    - as shipped (captured from a real request): scoped by joining estate → staff profile → user,
      and SELECT DISTINCT (django-filter's MultipleChoiceFilter defaults to distinct=True);
    - scoped by the user's estate ids as a literal list (estate_id IN (1, 2)), no DISTINCT —
      the planner then knows how many rows match and can walk an index in id order;
    - that, plus an index (status, id DESC) INCLUDE (estate_id) matching the cursor order (-pk).
    The index is created inside a transaction that is rolled back: nothing stays."""
    from urllib.parse import parse_qs

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.suite_list import MIXES
    from propserv.models import Estate
    from tickets.models import Repair

    estate_ids = list(Estate.objects.for_user(user).values_list("pk", flat=True))
    out = {}
    with connection.cursor() as cur:
        for label, query in MIXES.items():
            with CaptureQueriesContext(connection) as captured:
                client.get(f"/api/v1/repairs/?{query}&page_size=50")
            shipped = next(
                q["sql"]
                for q in captured.captured_queries
                if 'FROM "tickets_repair"' in q["sql"] and "LIMIT" in q["sql"]
            )
            params = parse_qs(query)
            qs = Repair.objects.select_related("estate", "unit", "category", "technician").filter(
                estate_id__in=estate_ids
            )
            if "status" in params:
                qs = qs.filter(status__in=params["status"])
            if "urgent" in params:
                qs = qs.filter(urgent=params["urgent"][0] == "true")
            sql, sql_params = qs.order_by("-pk")[:51].query.sql_with_params()
            fixed = cur.cursor.mogrify(sql, sql_params).decode()
            out[label] = {"shipped": shipped, "fixed": fixed}
        for m in out.values():
            m["shipped_ms"] = explain_ms(cur, m["shipped"])
            m["estate_ids_no_distinct_ms"] = explain_ms(cur, m["fixed"])
        cur.execute("BEGIN")
        try:
            cur.execute(
                "CREATE INDEX bench_tmp_repair_status_id "
                "ON tickets_repair (status, id DESC) INCLUDE (estate_id)"
            )
            cur.execute("ANALYZE tickets_repair")
            for m in out.values():
                m["plus_index_ms"] = explain_ms(cur, m["fixed"])
        finally:
            cur.execute("ROLLBACK")
    for m in out.values():
        del m["shipped"], m["fixed"]
    return out


def main() -> dict:
    import django

    django.setup()
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from bench.dataset import CATEGORY_SLOTS, LOAD_USER, unit_code

    token = Token.objects.get(user__username=LOAD_USER).key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    shipped = contextlib.nullcontext
    result = {}

    for label, query in {
        "list 'closed, not urgent'": "status=closed&urgent=false",
        "list 'urgent, any status'": "urgent=true",
        "list 'cancelled'": "status=cancelled",
    }.items():

        def get(i, query=query):
            response = client.get(f"/api/v1/repairs/?{query}&page_size=50")
            assert response.status_code == 200, response.content[:300]

        result[label] = measure(
            {
                "as shipped": shipped,
                "fix 1 (Prefetch to_attr)": patched_list_serializer,
                "fixes 1+5 (+ no DISTINCT)": combined(patched_list_serializer, patched_scope),
            },
            get,
        )

    def post(i, urgent_only=False):
        body = {
            "estate": "BENCH-A",
            "unit": unit_code((i * 37) % 2000),
            "category": "water" if urgent_only else CATEGORY_SLOTS[i % len(CATEGORY_SLOTS)],
            "description": f"卫生间地漏返水（诊断 {i}）",
            "reporter_name": "王女士",
            "reporter_phone": "13912340000",
        }
        response = client.post(
            "/api/v1/repairs/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]

    fixed_create = combined(patched_list_serializer, patched_create, patched_scope)
    result["create (15 % urgent)"] = measure(
        {"as shipped": shipped, "fixes 1-5": fixed_create}, post
    )
    result["create (urgent only)"] = measure(
        {"as shipped": shipped, "fixes 1-5": fixed_create},
        lambda i: post(i, urgent_only=True),
    )
    result["list_sql"] = list_sql_experiment(client, Token.objects.get(key=token).user)
    return result


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propserv.settings")
    print(json.dumps(main()))
