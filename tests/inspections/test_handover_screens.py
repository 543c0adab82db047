"""The hand-over pages: every page renders for the desk with the demo move-in loaded, the forms
post through the services, and the role × action table of the hand-over services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections import services
from inspections.demo import movein as demo_movein
from inspections.models import MoveInAppointment, MoveInBatch, MoveInPlan, Problem
from propserv.errors import NotAllowed
from propserv.registry import registry
from tests.factories import make_staff
from tests.inspections.conftest import login
from tests.inspections.handover_helpers import DAY, taxonomy, units_with_owners

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(estate, staff):
    make_staff("root-demo", estates=[estate], is_superuser=True, is_staff=True)
    units_with_owners(estate, 6)
    demo_movein.seed(estate)
    demo_movein.seed(estate)  # idempotent
    return MoveInPlan.objects.get(estate=estate)


def test_every_page_renders_with_the_demo_move_in(client, estate, staff, demo):
    assert MoveInPlan.objects.count() == 1
    batch = MoveInBatch.objects.get(plan=demo)
    statuses = sorted(MoveInAppointment.objects.values_list("status", flat=True))
    assert statuses.count("accepted") == 1 and statuses.count("refused") == 1
    appt = MoveInAppointment.objects.filter(status="refused").first()
    problem = Problem.objects.first()
    login(client, "frontdesk")
    q = {"estate": estate.code}
    for url in (
        reverse("inspections:movein"),
        reverse("inspections:movein-plan", args=[demo.pk]),
        reverse("inspections:movein-summary", args=[demo.pk]),
        reverse("inspections:movein-board", args=[batch.pk]),
        reverse("inspections:movein-book"),
        reverse("inspections:movein-day"),
        reverse("inspections:movein-appointment", args=[appt.pk]),
        reverse("inspections:problems"),
        reverse("inspections:problems-new"),
        reverse("inspections:problems-summary"),
        reverse("inspections:problem", args=[problem.pk]),
        reverse("inspections:handover-setup"),
        reverse("inspections:milestones"),
    ):
        response = client.get(url, q)
        assert response.status_code == 200, url
    body = client.get(reverse("inspections:movein-summary", args=[demo.pk])).content.decode()
    assert appt.reasons in body
    fragment = client.get(reverse("inspections:movein-board", args=[batch.pk]), {"fragment": 1})
    assert b"<html" not in fragment.content and b"data-status" in fragment.content
    accepted = MoveInAppointment.objects.filter(status="arrived").first()
    services.appointment_accept(appointment=accepted, actor=staff["frontdesk"])
    accepted.refresh_from_db()
    assert accepted.charges_billed_at is not None  # billed on acceptance (none in the demo plan)
    nav = [e.key for e in registry.nav_for(staff["frontdesk"])]
    assert "inspections.movein" in nav
    assert "inspections.movein" in [e.key for e in registry.nav_for(staff["finance"])]


def test_booking_arrival_refusal_and_fix_through_the_pages(client, estate, staff):
    ((unit, owner, _k),) = units_with_owners(estate, 1)
    types = taxonomy(estate, staff["supervisor"])
    login(client, "frontdesk")
    response = client.post(
        reverse("inspections:movein-book"),
        {"estate": estate.code, "unit": unit.code, "day": DAY.isoformat()},
    )
    assert response.status_code == 302
    appt = MoveInAppointment.objects.get(unit=unit)
    client.post(reverse("inspections:movein-arrive", args=[appt.pk]))
    rows = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-unit": unit.code,
        "form-0-location": "主卫",
        "form-0-defect_type": types["水电"].pk,
        "form-0-severity": "blocking",
    }
    client.post(reverse("inspections:movein-problems", args=[appt.pk]), rows)
    problem = Problem.objects.get(unit=unit)
    assert problem.appointment_id == appt.pk and problem.source == "move_in"
    response = client.post(reverse("inspections:movein-refuse", args=[appt.pk]), {"reasons": ""})
    assert response.status_code == 400
    client.post(reverse("inspections:movein-refuse", args=[appt.pk]), {"reasons": "漏水"})
    appt.refresh_from_db()
    assert appt.status == "refused" and appt.arrived_at is not None
    client.post(reverse("inspections:problem-fix", args=[problem.pk]), {"evidence": "已修"})
    client.post(reverse("inspections:problem-recheck", args=[problem.pk]), {"passed": "1"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CLOSED and problem.closed_by == staff["frontdesk"]


ROLE_TABLE = [
    # (role, may book a move-in, may enter problems, may set a milestone)
    ("frontdesk", True, True, False),
    ("area_admin", True, True, False),
    ("supervisor", True, True, True),
    ("project_manager", True, True, True),
    ("quality", False, True, False),
    ("gm", False, True, False),
    ("technician", False, True, False),
    ("patrol", False, True, False),
    ("finance", False, False, False),
]


@pytest.mark.parametrize("role,book,enter,milestone", ROLE_TABLE)
def test_role_by_action(estate, staff, role, book, enter, milestone):
    ((unit, owner, _k),) = units_with_owners(estate, 1)
    types = taxonomy(estate, staff["supervisor"])
    actor = staff[role]
    calls = [
        (book, lambda: services.appointment_book(unit=unit, owner=owner, day=DAY, actor=actor)),
        (
            enter,
            lambda: services.problems_add(
                estate=estate,
                rows=[services.NewProblem(unit, "客厅", types["墙面"])],
                actor=actor,
            ),
        ),
        (
            milestone,
            lambda: services.milestone_set(
                estate=estate,
                project="入伙",
                name="验收",
                owner=staff["supervisor"],
                due_on=DAY + dt.timedelta(days=5),
                actor=actor,
            ),
        ),
    ]
    for allowed, call in calls:
        if allowed:
            assert call() is not None
        else:
            with pytest.raises(NotAllowed):
                call()
