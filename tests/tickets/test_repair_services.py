import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fees.models import Charge as FeeCharge
from propserv.errors import InvalidTransition
from propserv.models import Deadline
from tickets import rules
from tickets.models import Callback, PriceItem, Repair
from tickets.services import repairs as services


@pytest.fixture
def repair(estate, unit, categories, staff):
    return services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["plumbing"],
        description="卫生间水龙头坏了",
        actor=staff["frontdesk"],
    )


def walk_to_in_progress(repair, staff):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    return services.repair_start(repair_id=repair.pk, actor=staff["technician"])


def test_full_lifecycle_writes_timeline_and_callback_deadline(repair, staff):
    walk_to_in_progress(repair, staff)
    done = services.repair_complete(
        repair_id=repair.pk,
        actor=staff["technician"],
        labour_minutes=40,
        materials="水龙头 1 个",
        signed_by="业主王先生",
    )
    assert done.status == Repair.Status.COMPLETED
    callback_deadline = Deadline.objects.for_subject(repair).get(kind=rules.CALLBACK)
    assert callback_deadline.due_at == done.completed_at + dt.timedelta(hours=48)
    callback = Callback.objects.get(repair=repair, status="pending")
    assert callback.assigned_to == staff["area_admin"]
    services.repair_record_callback(
        repair_id=repair.pk, satisfaction=5, actor=staff["area_admin"], comment="很好"
    )
    repair.refresh_from_db()
    assert repair.status == Repair.Status.CLOSED
    assert Deadline.objects.for_subject(repair).get(kind=rules.CALLBACK).met_at is not None
    actions = list(repair.events.values_list("action", flat=True))
    assert actions == [
        "created",
        "dispatched",
        "arrived",
        "started",
        "completed",
        "called_back",
        "closed",
    ]
    assert repair.events.get(action="dispatched").to_status == "dispatched"


def test_dissatisfied_callback_reopens_with_new_clocks(repair, staff):
    walk_to_in_progress(repair, staff)
    services.repair_complete(
        repair_id=repair.pk, actor=staff["technician"], labour_minutes=10, signed_by="王"
    )
    services.repair_record_callback(
        repair_id=repair.pk, satisfaction=2, actor=staff["area_admin"], comment="还在漏"
    )
    repair.refresh_from_db()
    assert repair.status == Repair.Status.REOPENED
    assert repair.reopen_count == 1
    open_kinds = set(Deadline.objects.for_subject(repair).open().values_list("kind", flat=True))
    assert open_kinds == {rules.ARRIVAL, rules.COMPLETION}


def test_invalid_transition_is_refused_and_changes_nothing(repair, staff):
    with pytest.raises(InvalidTransition):
        services.repair_complete(
            repair_id=repair.pk, actor=staff["frontdesk"], labour_minutes=5, signed_by="王"
        )
    repair.refresh_from_db()
    assert repair.status == Repair.Status.RECEIVED
    assert repair.events.count() == 1


def test_arrive_twice_is_idempotent(repair, staff):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    first = services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    second = services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    assert first.arrived_at == second.arrived_at
    assert repair.events.filter(action="arrived").count() == 1


def test_paid_work_needs_quote_and_consent_before_start(repair, staff, estate):
    tap = PriceItem.objects.get(estate=estate, code="tap")
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    services.repair_quote(
        repair_id=repair.pk, lines=[(tap.pk, Decimal("2"))], actor=staff["technician"]
    )
    with pytest.raises(InvalidTransition, match="agreed|同意"):
        services.repair_start(repair_id=repair.pk, actor=staff["technician"])
    services.repair_record_consent(
        repair_id=repair.pk, resident_name="王先生", actor=staff["technician"]
    )
    services.repair_start(repair_id=repair.pk, actor=staff["technician"])
    with pytest.raises(ValidationError):
        services.repair_complete(
            repair_id=repair.pk,
            actor=staff["technician"],
            labour_minutes=30,
            signed_by="王",
            fee=Decimal("61.00"),
        )
    done = services.repair_complete(
        repair_id=repair.pk, actor=staff["technician"], labour_minutes=30, signed_by="王"
    )
    assert done.fee == Decimal("60.00")
    assert done.charge_lines.get().amount == Decimal("60.00")
    # The paid job is a charge on the unit's account at once (fees' registry hook), once.
    assert FeeCharge.objects.get(repair=done).amount == Decimal("60.00")


def test_quote_only_from_this_estates_price_list(repair, staff, other_estate):
    foreign = PriceItem.objects.create(
        estate=other_estate, code="x", name="别处", price=Decimal("1.00")
    )
    with pytest.raises(ValidationError):
        services.repair_quote(
            repair_id=repair.pk, lines=[(foreign.pk, Decimal("1"))], actor=staff["frontdesk"]
        )


def test_hold_moves_open_clocks_to_the_agreed_time(repair, staff):
    until = timezone.now() + dt.timedelta(days=1)
    services.repair_hold(
        repair_id=repair.pk, reason="业主不在家，约明天上午", until=until, actor=staff["frontdesk"]
    )
    arrival = Deadline.objects.for_subject(repair).get(kind=rules.ARRIVAL)
    assert arrival.due_at == until
    with pytest.raises(ValidationError):
        services.repair_hold(repair_id=repair.pk, reason="", until=until, actor=staff["frontdesk"])


def test_cancel_needs_reason_and_stops_clocks(repair, staff):
    with pytest.raises(ValidationError):
        services.repair_cancel(repair_id=repair.pk, reason=" ", actor=staff["frontdesk"])
    services.repair_cancel(repair_id=repair.pk, reason="业主已自行修好", actor=staff["frontdesk"])
    assert not Deadline.objects.for_subject(repair).open().exists()


def test_future_or_too_old_received_at_is_refused(estate, unit, categories, staff):
    now = timezone.now()
    for bad in (now + dt.timedelta(hours=1), now - dt.timedelta(days=2)):
        with pytest.raises(ValidationError):
            services.repair_create(
                estate=estate,
                unit=unit,
                category=categories["water"],
                description="x",
                actor=staff["frontdesk"],
                received_at=bad,
                now=now,
            )
    assert not Repair.objects.exists()


def test_changing_urgency_against_the_category_needs_a_reason(estate, unit, categories, staff):
    with pytest.raises(ValidationError):
        services.repair_create(
            estate=estate,
            unit=unit,
            category=categories["water"],
            description="小渗水",
            actor=staff["frontdesk"],
            urgent=False,
        )
    repair = services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["water"],
        description="小渗水",
        actor=staff["frontdesk"],
        urgent=False,
        urgency_reason="仅轻微渗水，已关阀",
    )
    assert not repair.urgent


def test_only_the_desk_dispatches_and_cancels(repair, staff):
    from django.core.exceptions import PermissionDenied

    for outsider in ("patrol", "finance", "technician"):
        with pytest.raises(PermissionDenied):
            services.repair_dispatch(
                repair_id=repair.pk, technician=staff["technician"], actor=staff[outsider]
            )
        with pytest.raises(PermissionDenied):
            services.repair_cancel(repair_id=repair.pk, reason="x", actor=staff[outsider])
    repair.refresh_from_db()
    assert repair.status == Repair.Status.RECEIVED


def test_the_technician_cannot_call_back_their_own_job(repair, staff):
    from django.core.exceptions import PermissionDenied

    walk_to_in_progress(repair, staff)
    services.repair_complete(
        repair_id=repair.pk, actor=staff["technician"], labour_minutes=10, signed_by="王"
    )
    with pytest.raises(PermissionDenied):
        services.repair_record_callback(
            repair_id=repair.pk, satisfaction=5, actor=staff["technician"]
        )
    with pytest.raises(PermissionDenied):
        services.repair_mark_arrived(repair_id=repair.pk, actor=staff["patrol"])
    assert Callback.objects.get(repair=repair).status == "pending"


def test_resumed_straight_into_work_meets_the_arrival_clock(repair, staff):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    services.repair_start(repair_id=repair.pk, actor=staff["technician"])
    arrival = Deadline.objects.for_subject(repair).get(kind=rules.ARRIVAL)
    assert arrival.met_at is not None
