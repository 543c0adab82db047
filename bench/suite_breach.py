"""Figure 3: how late a breach is flagged, with the real Celery worker and beat.

A worker (concurrency 2, like `make run`) and one beat (the sweep every DEADLINE_SWEEP_SECONDS,
2 s by default) run pinned to the server core. 1,000 urgent repairs are created through the
service with `received_at` backdated so that their 15-minute arrival deadlines fall due evenly
over a 3-minute window; each is created 15 s before it is due (so creation, the warning the
backdating triggers, and breaches interleave as they would at a busy desk). After the window
(+20 s) we read breached_at − due_at for every one of them, and when the supervisor's
notification row was written (created_at − due_at). Exactly one level-1 escalation each is
checked too.
"""

from __future__ import annotations

import datetime as dt
import time

from bench.lib import PY, Context, row, say, stats

TARGET_P99_S = 5.0
COUNT, WINDOW_S = 1000, 180
QUICK_COUNT, QUICK_WINDOW_S = 100, 30
AHEAD_S = 15  # each repair is created this long before its arrival deadline is due
GRACE_S = 20


def wait_for_log(proc, text: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in proc.tail(20000):
            return
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        time.sleep(0.2)
    raise RuntimeError(f"{proc.name}: no {text!r} within {timeout:.0f} s:\n{proc.tail()}")


def run(ctx: Context) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from propserv.models import Deadline, DeadlineEscalation, Estate, Notification, Unit
    from tickets import rules
    from tickets.models import RepairCategory
    from tickets.services.repairs import repair_create

    count, window = (QUICK_COUNT, QUICK_WINDOW_S) if ctx.quick else (COUNT, WINDOW_S)
    estate = Estate.objects.get(pk=ctx.data["estates"][0]["id"])
    category = RepairCategory.objects.get(estate=estate, code="water")
    assert category.urgent
    arrival = dt.timedelta(minutes=estate.service_settings.urgent_arrival_minutes)
    units = list(Unit.objects.filter(estate=estate).order_by("pk")[:500])
    actor = get_user_model().objects.get(username=ctx.data["load_user"])

    schedule = ctx.log_dir / "celerybeat-schedule"
    for stale in ctx.log_dir.glob("celerybeat-schedule*"):
        stale.unlink()
    worker = ctx.spawn(
        "celery-worker",
        [
            PY,
            "-m",
            "celery",
            "-A",
            "propserv",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
            "-n",
            "bench@%h",
            "--without-mingle",
            "--without-gossip",
        ],
    )
    wait_for_log(worker, "ready.", 60)
    beat = ctx.spawn(
        "celery-beat",
        [PY, "-m", "celery", "-A", "propserv", "beat", "-l", "info", "--schedule", str(schedule)],
    )
    wait_for_log(worker, "propserv.sweep_deadlines", 30)  # the first sweep has run
    say(f"breach: worker and beat up; {count} deadlines due over {window} s")

    start = timezone.now() + dt.timedelta(seconds=AHEAD_S + 2)
    step = dt.timedelta(seconds=window / count)
    created: list[tuple[int, dt.datetime]] = []
    late_creations = 0
    for i in range(count):
        due = start + step * i
        create_at = due - dt.timedelta(seconds=AHEAD_S)
        wait = (create_at - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(wait)
        if (due - timezone.now()).total_seconds() < 3:
            late_creations += 1
        repair = repair_create(
            estate=estate,
            category=category,
            unit=units[i % len(units)],
            description=f"水管爆裂（超时检测压测 {i}）",
            reporter_name="李先生",
            reporter_phone="13912340000",
            received_at=due - arrival,
            actor=actor,
        )
        created.append((repair.pk, due))
    end_at = start + step * (count - 1) + dt.timedelta(seconds=GRACE_S)
    time.sleep(max(0.0, (end_at - timezone.now()).total_seconds()))
    for proc in (beat, worker):
        ctx.stop(proc)

    ids = [pk for pk, _ in created]
    deadlines = list(
        Deadline.objects.filter(repair__in=ids, kind=rules.ARRIVAL).values(
            "pk", "due_at", "breached_at"
        )
    )
    assert len(deadlines) == count, f"{len(deadlines)} arrival deadlines for {count} repairs"
    flagged = [d for d in deadlines if d["breached_at"] is not None]
    delays = [(d["breached_at"] - d["due_at"]).total_seconds() for d in flagged]
    early = [x for x in delays if x < 0]
    due_by_pk = {d["pk"]: d["due_at"] for d in deadlines}
    notes = Notification.objects.filter(
        dedupe_key__in=[f"deadline:{pk}:1" for pk in due_by_pk],
        recipient__groups__name="supervisor",
    ).values_list("dedupe_key", "created_at")
    notified = [
        (created_at - due_by_pk[int(key.split(":")[1])]).total_seconds()
        for key, created_at in notes
    ]
    escalations = (
        DeadlineEscalation.objects.filter(deadline__in=due_by_pk.keys(), level=1)
        .values("deadline")
        .annotate(n=Count("id"))
    )
    per_deadline = [e["n"] for e in escalations]
    result = {
        "count": count,
        "window_s": window,
        "sweep_interval_s": settings.DEADLINE_SWEEP_SECONDS,
        "late_creations": late_creations,
        "flagged": len(flagged),
        "not_flagged": count - len(flagged),
        "flagged_before_due": len(early),
        "breach_delay_s": stats(delays),
        "supervisor_notified_delay_s": stats(notified),
        "supervisor_notifications": len(notified),
        "level1_escalations_per_deadline": sorted(set(per_deadline)),
    }
    d, n = result["breach_delay_s"], result["supervisor_notified_delay_s"]
    say(f"breach: {result}")
    ok = (
        result["not_flagged"] == 0
        and not early
        and d["p99"] is not None
        and d["p99"] <= TARGET_P99_S
    )
    result["rows"] = [
        row(
            f"breach flagged after due_at ({count} over {window} s): p50 / p99 / max",
            f"{d['p50']:.2f} / {d['p99']:.2f} / {d['max']:.2f} s"
            + (f" ({result['not_flagged']} never flagged)" if result["not_flagged"] else ""),
            f"p99 ≤ {TARGET_P99_S:g} s",
            ok,
        ),
        row(
            "supervisor notified after due_at: p50 / p99 / max",
            f"{n['p50']:.2f} / {n['p99']:.2f} / {n['max']:.2f} s" if n["n"] else "none",
            f"once each ({len(notified)}/{count})",
            len(notified) == count and set(per_deadline) == {1},
        ),
    ]
    return result
