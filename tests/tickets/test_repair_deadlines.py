"""The deadline engine driven by repairs, on the real PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from propserv.deadlines import deadlines_recompute, sweep
from propserv.models import Deadline, DeadlineEscalation, Notification
from tickets import rules
from tickets.services import repairs as services


def make_repair(estate, unit, category, actor, received_at, now=None):
    return services.repair_create(
        estate=estate,
        unit=unit,
        category=category,
        description="厨房水管爆裂",
        actor=actor,
        received_at=received_at,
        now=now or received_at,
    )


def arrival(repair):
    return Deadline.objects.for_subject(repair).get(kind=rules.ARRIVAL)


def test_urgent_repair_gets_15_minute_arrival_and_2_hour_completion(
    estate, unit, categories, staff
):
    t0 = timezone.now()
    repair = make_repair(estate, unit, categories["water"], staff["frontdesk"], t0)
    assert repair.urgent
    assert arrival(repair).due_at == t0 + dt.timedelta(minutes=15)
    completion = Deadline.objects.for_subject(repair).get(kind=rules.COMPLETION)
    assert completion.due_at == t0 + dt.timedelta(hours=2)


def test_ordinary_repair_gets_30_minutes(estate, unit, categories, staff):
    t0 = timezone.now()
    repair = make_repair(estate, unit, categories["drainage"], staff["frontdesk"], t0)
    assert not repair.urgent
    assert arrival(repair).due_at == t0 + dt.timedelta(minutes=30)


def test_backdated_urgent_repair_is_breached_and_supervisor_notified_once(
    estate, unit, categories, staff
):
    now = timezone.now()
    repair = make_repair(
        estate, unit, categories["water"], staff["frontdesk"], now - dt.timedelta(minutes=20), now
    )
    assert repair.events.get(action="created").data["backdated_from"]
    sweep(now=now + dt.timedelta(seconds=1))
    sweep(now=now + dt.timedelta(seconds=2))
    deadline = arrival(repair)
    assert deadline.breached_at is not None
    assert deadline.warned_at is None  # already late when logged: no "due soon" warning
    notes = Notification.objects.filter(
        recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
    )
    assert notes.count() == 1
    assert repair.number in notes.get().title
    assert not Notification.objects.filter(
        recipient=staff["project_manager"], dedupe_key__startswith="deadline:"
    ).exists()


def test_warning_then_breach_then_project_manager(estate, unit, categories, staff):
    t0 = timezone.now()
    repair = make_repair(estate, unit, categories["drainage"], staff["frontdesk"], t0)
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"], at=t0
    )
    sweep(now=t0 + dt.timedelta(minutes=19))
    assert arrival(repair).warned_at is None
    sweep(now=t0 + dt.timedelta(minutes=21))  # 2/3 of 30 minutes
    deadline = arrival(repair)
    assert deadline.warned_at is not None
    warned = Notification.objects.filter(dedupe_key=f"deadline:{deadline.pk}:0")
    assert set(warned.values_list("recipient__username", flat=True)) == {"technician", "frontdesk"}
    sweep(now=t0 + dt.timedelta(minutes=30))
    assert arrival(repair).breached_at is not None
    assert Notification.objects.filter(
        recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
    ).exists()
    sweep(now=t0 + dt.timedelta(minutes=59))
    assert not DeadlineEscalation.objects.filter(deadline=deadline, level=2).exists()
    sweep(now=t0 + dt.timedelta(minutes=60))
    assert Notification.objects.filter(
        recipient=staff["project_manager"], dedupe_key=f"deadline:{deadline.pk}:2"
    ).exists()
    for _ in range(3):
        sweep(now=t0 + dt.timedelta(hours=3))
    assert (
        DeadlineEscalation.objects.filter(deadline=deadline).count() == 3
    )  # warning + 2 levels, ever
    assert arrival(repair).next_check_at is None


def test_arrival_exactly_on_time_is_met_not_breached(estate, unit, categories, staff):
    t0 = timezone.now()
    repair = make_repair(estate, unit, categories["water"], staff["frontdesk"], t0)
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"], at=t0
    )
    services.repair_mark_arrived(
        repair_id=repair.pk, actor=staff["technician"], at=t0 + dt.timedelta(minutes=15)
    )
    sweep(now=t0 + dt.timedelta(minutes=16))
    deadline = arrival(repair)
    assert deadline.met_at == t0 + dt.timedelta(minutes=15)
    assert deadline.breached_at is None
    assert deadline.state(t0 + dt.timedelta(minutes=16)) == "met"


def test_policy_change_recomputes_open_deadlines(estate, unit, categories, staff):
    t0 = timezone.now()
    repair = make_repair(estate, unit, categories["drainage"], staff["frontdesk"], t0)
    settings_row = estate.service_settings
    settings_row.normal_arrival_minutes = 20
    settings_row.save()
    assert deadlines_recompute(estate=estate) >= 1
    assert arrival(repair).due_at == t0 + dt.timedelta(minutes=20)


def test_policy_change_moves_the_escalation_step_of_unbreached_clocks_only(
    estate, unit, categories, staff
):
    t0 = timezone.now()
    late = make_repair(
        estate, unit, categories["drainage"], staff["frontdesk"], t0 - dt.timedelta(hours=1)
    )
    sweep(now=t0)  # the hour-old repair's arrival clock is breached
    fresh = make_repair(estate, unit, categories["drainage"], staff["frontdesk"], t0)
    settings_row = estate.service_settings
    step_before = arrival(late).escalation_step
    settings_row.escalation_step_minutes = 45
    settings_row.save()
    deadlines_recompute(estate=estate)
    assert arrival(fresh).escalation_step == dt.timedelta(minutes=45)
    assert arrival(late).escalation_step == step_before  # a breach keeps the ladder it had


def test_raising_urgency_moves_the_arrival_clock(estate, unit, categories, staff):
    t0 = timezone.now()
    repair = make_repair(estate, unit, categories["wall"], staff["frontdesk"], t0)
    services.repair_set_urgency(
        repair_id=repair.pk, urgent=True, reason="天花板渗水严重", actor=staff["supervisor"], now=t0
    )
    assert arrival(repair).due_at == t0 + dt.timedelta(minutes=15)
    assert repair.events.filter(action="urgency").exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_escalate_once(estate, unit, categories, staff):
    now = timezone.now()
    repairs = [
        make_repair(
            estate,
            unit,
            categories["water"],
            staff["frontdesk"],
            now - dt.timedelta(minutes=20),
            now,
        )
        for _ in range(20)
    ]
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            sweep(now=now + dt.timedelta(seconds=1), batch=5)
        except Exception as exc:  # pragma: no cover – reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = [arrival(r).pk for r in repairs]
    assert DeadlineEscalation.objects.filter(deadline_id__in=ids, level=1).count() == 20
    assert (
        Notification.objects.filter(
            recipient=staff["supervisor"], dedupe_key__in=[f"deadline:{i}:1" for i in ids]
        ).count()
        == 20
    )


def test_board_shows_the_breached_urgent_repair_red_first(client, estate, unit, categories, staff):
    now = timezone.now()
    calm = make_repair(estate, unit, categories["drainage"], staff["frontdesk"], now)
    late = make_repair(
        estate, unit, categories["water"], staff["frontdesk"], now - dt.timedelta(minutes=20), now
    )
    sweep(now=now)
    client.force_login(staff["frontdesk"])
    body = client.get("/tickets/board/").content.decode()
    assert f'<tr class="row-red" data-testid="repair-{late.pk}">' in body
    assert f'<tr class="row-green" data-testid="repair-{calm.pk}">' in body
    assert body.index(f"repair-{late.pk}") < body.index(
        f"repair-{calm.pk}"
    )  # least time left first


def test_changing_estate_settings_in_the_admin_moves_running_clocks(
    estate, unit, categories, staff, admin_user, rf, django_capture_on_commit_callbacks
):
    from types import SimpleNamespace

    from django.contrib import admin

    from propserv.admin import EstateAdmin
    from propserv.models import Estate, EstateSettings

    t0 = timezone.now()
    repair = make_repair(estate, unit, categories["drainage"], staff["frontdesk"], t0)
    EstateSettings.objects.filter(estate=estate).update(normal_arrival_minutes=25)
    request = rf.post("/admin/")
    request.user = admin_user
    form = SimpleNamespace(instance=estate, save_m2m=lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        EstateAdmin(Estate, admin.site).save_related(request, form, [], change=True)
    assert arrival(repair).due_at == t0 + dt.timedelta(minutes=25)


def test_arrival_breach_notice_speaks_of_arriving_not_finishing(estate, unit, categories, staff):
    """Issue 12, item 4: "应于 … 完成" was wrong for the arrival clock."""
    now = timezone.now()
    repair = make_repair(
        estate, unit, categories["water"], staff["frontdesk"], now - dt.timedelta(minutes=20), now
    )
    sweep(now=now + dt.timedelta(seconds=1))
    note = Notification.objects.get(
        recipient=staff["supervisor"], dedupe_key=f"deadline:{arrival(repair).pk}:1"
    )
    assert "到场" in note.body and "完成" not in note.body
