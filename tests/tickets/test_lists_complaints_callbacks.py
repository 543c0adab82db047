"""The complaint list's drill-down filters and the new list of all callbacks (issue 15, item 3),
against a hand-built set, with estate scoping and a fixed number of statements per page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from propserv.models import Unit
from tests.factories import UnitFactory
from tests.tickets.test_timeliness import attempt, callback, clock, complaint, repair
from tickets.models import Callback, Complaint
from tickets.rules import complaints as crules

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def pm(client, staff):
    client.force_login(staff["project_manager"])
    return client


def shown(client, url_name, fixture, prefix, **params) -> set[str]:
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    html = response.content.decode()
    return {n for n, obj in fixture.items() if f'data-testid="{prefix}-{obj.pk}"' in html}


@pytest.fixture
def matters(estate, other_estate, unit):
    now = timezone.now()
    c = {
        "replied": complaint(
            estate,
            unit=unit,
            grade="minor",
            graded_at=now,
            category="staff",
            received=now - 3 * D,
            complainant_name="赵先生",
        ),
        "late": complaint(
            estate,
            grade="major",
            graded_at=now,
            status=Complaint.Status.CLOSED,
            received=now - 10 * D,
        ),
        "overdue": complaint(estate, received=now - 6 * D, repeat_flagged=True, repeat_count=2),
        "fresh": complaint(estate, received=now - H),
        "january": complaint(estate, received=local(2026, 1, 31, 23, 58)),
        "stranger": complaint(other_estate, received=now - H),
    }
    r = crules.REPLY
    clock(c["replied"], r, due=now - D, met=now - 2 * D)
    clock(c["late"], r, due=now - 8 * D, met=now - 7 * D)
    clock(c["overdue"], r, due=now - D)
    clock(c["fresh"], r, due=now + 3 * D)
    clock(c["stranger"], r, due=now - D)
    return c


def complaints(client, matters, **params):
    return shown(client, "tickets:complaint-list", matters, "complaint", **params)


@pytest.mark.django_db
def test_the_complaint_list_keeps_its_usual_view_without_filters(pm, matters, estate):
    assert complaints(pm, matters) == {"replied", "overdue", "fresh", "january"}  # open ones
    assert complaints(pm, matters, estate=estate.code) == {"replied", "overdue", "fresh", "january"}


@pytest.mark.django_db
def test_every_filter_of_the_complaint_list(pm, matters, estate, unit):
    mine = set(matters) - {"stranger"}
    assert complaints(pm, matters, estate=estate.pk, status="") == mine
    assert complaints(pm, matters, status="closed") == {"late"}
    assert complaints(pm, matters, status="open") == mine - {"late"}
    assert complaints(pm, matters, grade=["major", "minor"]) == {"replied", "late"}
    assert complaints(pm, matters, grade="none") == {"overdue", "fresh", "january"}
    assert complaints(pm, matters, category="staff") == {"replied"}
    assert complaints(pm, matters, reply="on_time") == {"replied"}
    assert complaints(pm, matters, reply="late") == {"late"}
    assert complaints(pm, matters, reply="overdue") == {"overdue"}
    assert complaints(pm, matters, repeat=1) == {"overdue"}
    assert complaints(pm, matters, received_from="2026-01-31", received_to="2026-01-31") == {
        "january"
    }
    assert complaints(pm, matters, q=matters["late"].number) == {"late"}
    assert complaints(pm, matters, q=unit.code) == {"replied"}
    assert complaints(pm, matters, q="赵") == {"replied"}
    # An unusable value: said, and that filter left out.
    response = pm.get(reverse("tickets:complaint-list"), {"reply": "soon", "grade": "major"})
    assert list(response.context["messages"])
    assert complaints(pm, matters, reply="soon", grade="major") == {"late"}


@pytest.mark.django_db
def test_complaint_list_statements_do_not_grow_with_rows(pm, estate, unit):
    now = timezone.now()
    url = reverse("tickets:complaint-list")

    def add(n):
        for i in range(n):
            c = complaint(estate, unit=UnitFactory(building=unit.building), received=now - i * H)
            clock(c, crules.REPLY, due=now + D)

    def statements():
        pm.get(url, {"status": ""})
        with CaptureQueriesContext(connection) as ctx:
            pm.get(url, {"status": ""})
        return len(ctx.captured_queries)

    add(2)
    few = statements()
    add(15)
    assert statements() == few


@pytest.fixture
def calls(estate, other_estate, categories, unit):
    now = timezone.now()
    job = repair(estate, categories["water"], unit=unit, reporter_name="钱女士")
    matter = complaint(estate, complainant_name="孙先生")
    cbs = {
        "on_time": callback(
            estate, repair_=job, due=now - 2 * D, completed=now - 3 * D, satisfaction=5
        ),
        "late": callback(
            estate, complaint_=matter, due=now - 3 * D, completed=now - 2 * D, satisfaction=2
        ),
        "overdue": callback(estate, repair_=job, due=now - H),
        "waiting": callback(estate, complaint_=complaint(estate), due=now + D),
        "cancelled": callback(
            estate, repair_=job, due=local(2026, 1, 31, 23, 58), status=Callback.Status.CANCELLED
        ),
        "stranger": callback(other_estate, complaint_=complaint(other_estate), due=now - H),
    }
    # Reached at once / three attempts, reached on the third.
    attempt(cbs["on_time"], now - 4 * D, "reached")
    attempt(cbs["late"], now - 3 * D, "no_answer")
    attempt(cbs["late"], now - 2 * D - H, "wrong_number")
    attempt(cbs["late"], now - 2 * D, "reached")
    return cbs


def callbacks(client, calls, **params):
    return shown(client, "tickets:callback-list", calls, "callback", **params)


@pytest.mark.django_db
def test_every_filter_of_the_callback_list(pm, calls, estate, unit):
    mine = set(calls) - {"stranger"}
    assert callbacks(pm, calls) == mine
    assert callbacks(pm, calls, estate=estate.pk) == mine
    assert callbacks(pm, calls, kind="repair") == {"on_time", "overdue", "cancelled"}
    assert callbacks(pm, calls, kind="complaint") == {"late", "waiting"}
    assert callbacks(pm, calls, status=["done", "cancelled"]) == {"on_time", "late", "cancelled"}
    assert callbacks(pm, calls, due_from="2026-01-31", due_to="2026-01-31") == {"cancelled"}
    assert callbacks(pm, calls, timeliness="on_time") == {"on_time"}
    assert callbacks(pm, calls, timeliness="late") == {"late"}
    assert callbacks(pm, calls, timeliness="overdue") == {"overdue"}
    assert callbacks(pm, calls, first_attempt=1) == {"on_time"}
    assert callbacks(pm, calls, first_attempt=0) == mine - {"on_time"}
    assert callbacks(pm, calls, satisfied=1) == {"on_time"}
    assert callbacks(pm, calls, satisfied=0) == {"late"}
    assert callbacks(pm, calls, q="钱女") == {"on_time", "overdue", "cancelled"}
    assert callbacks(pm, calls, q=unit.code) == {"on_time", "overdue", "cancelled"}
    assert callbacks(pm, calls, q=calls["late"].complaint.number) == {"late"}
    assert callbacks(pm, calls, kind="letter", timeliness="sometime") == mine
    # The caller's own queue is still there, unchanged.
    assert pm.get(reverse("tickets:callback-queue")).status_code == 200


@pytest.mark.django_db
def test_callback_list_statements_do_not_grow_with_rows(pm, estate, categories):
    now = timezone.now()
    url = reverse("tickets:callback-list")

    def add(n):
        for i in range(n):
            u = UnitFactory(building__estate=estate, status=Unit.Status.OCCUPIED)
            job = repair(estate, categories["water"], unit=u)
            cb = callback(estate, repair_=job, due=now - i * H, completed=now)
            attempt(cb, now - H, "reached")
            callback(estate, complaint_=complaint(estate, unit=u), due=now + i * H)

    def statements():
        pm.get(url)
        with CaptureQueriesContext(connection) as ctx:
            pm.get(url)
        return len(ctx.captured_queries)

    add(1)
    few = statements()
    add(10)
    assert statements() == few
