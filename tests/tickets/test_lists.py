"""The drill-down lists (issue 15, item 3): all repairs with every filter of the dashboard's
links, against a hand-built set; invalid values; roles; estate scoping; a page of rows in a fixed
number of statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from propserv.models import Deadline
from tests.factories import BuildingFactory, UnitFactory, make_staff
from tests.tickets.test_timeliness import clock, repair
from tickets.models import Repair
from tickets.rules import repairs as rrules
from tickets.selectors import lists

M = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def jobs(estate, other_estate, unit, categories, staff, now):
    """Repairs whose every filtered property is known."""
    other_unit = UnitFactory(building=BuildingFactory(estate=estate, code="7"), code="7-1-101")
    water, lighting = categories["water"], categories["lighting"]
    tech = staff["technician"]
    r = {
        "on_time": repair(
            estate,
            water,
            unit=unit,
            technician=tech,
            status=Repair.Status.CLOSED,
            reporter_name="王先生",
            received=now - 3 * H,
            arrived_at=now - 3 * H + 10 * M,
        ),
        "late": repair(
            estate,
            lighting,
            unit=other_unit,
            urgent=True,
            reporter_name="李女士",
            received=now - 5 * H,
        ),
        "pending": repair(estate, water, received=now - 5 * M),
        "cancelled": repair(estate, water, status=Repair.Status.CANCELLED, received=now - 6 * H),
        "reopened": repair(
            estate,
            water,
            unit=unit,
            status=Repair.Status.REOPENED,
            reopen_count=1,
            received=now - 8 * H,
        ),
        # Received 23:58 on 31 January, arrived 00:10 on 1 February (local time).
        "boundary": repair(
            estate,
            lighting,
            unit=other_unit,
            received=local(2026, 1, 31, 23, 58),
            arrived_at=local(2026, 2, 1, 0, 10),
            status=Repair.Status.CLOSED,
        ),
        "stranger": repair(other_estate, other_estate_category(other_estate, water)),
    }
    a, c = rrules.ARRIVAL, rrules.COMPLETION
    clock(r["on_time"], a, due=now - 3 * H + 30 * M, met=now - 3 * H + 10 * M)
    clock(r["on_time"], c, due=now - H, met=now - 2 * H)
    clock(r["late"], a, due=now - 5 * H + 15 * M)  # never arrived: late
    clock(r["late"], c, due=now - H, met=now - M)
    clock(r["pending"], a, due=now + 25 * M)
    clock(r["cancelled"], a, due=now - 5 * H, cancelled=now - 5 * H - 30 * M)
    clock(r["reopened"], a, due=now - 7 * H, met=now - 7 * H - 10 * M)
    clock(r["reopened"], a, due=now + H)  # the rework's clock is running
    clock(
        r["boundary"],
        a,
        start=local(2026, 1, 31, 23, 58),
        due=local(2026, 2, 1, 0, 28),
        met=local(2026, 2, 1, 0, 10),
    )
    clock(r["stranger"], a, due=now - H, met=now)
    return r


def other_estate_category(other_estate, like):
    return type(like).objects.create(estate=other_estate, code=like.code, name=like.name)


def listed(client, jobs, **params) -> set[str]:
    response = client.get(reverse("tickets:repair-list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return {name for name, r in jobs.items() if f'data-testid="repair-{r.pk}"' in html}


@pytest.fixture
def pm(client, staff):
    client.force_login(staff["project_manager"])
    return client


@pytest.mark.django_db
def test_every_filter_of_the_repair_list(pm, jobs, estate, categories, staff, unit):
    mine = set(jobs) - {"stranger"}
    assert listed(pm, jobs) == mine
    assert listed(pm, jobs, estate=estate.pk) == mine
    assert listed(pm, jobs, estate=estate.code) == mine
    assert listed(pm, jobs, status=["closed", "cancelled"]) == {"on_time", "cancelled", "boundary"}
    assert listed(pm, jobs, urgent=1) == {"late"}
    assert listed(pm, jobs, urgent=0) == mine - {"late"}
    assert listed(pm, jobs, category=categories["lighting"].pk) == {"late", "boundary"}
    assert listed(pm, jobs, building=unit.building_id) == {"on_time", "reopened"}
    assert listed(pm, jobs, technician=staff["technician"].pk) == {"on_time"}
    assert listed(pm, jobs, arrival="on_time") == {"on_time", "boundary"}
    assert listed(pm, jobs, arrival="late") == {"late"}
    assert listed(pm, jobs, arrival="pending") == {"pending", "reopened"}
    assert listed(pm, jobs, completion="on_time") == {"on_time"}
    assert listed(pm, jobs, completion="late") == {"late"}
    assert listed(pm, jobs, reopened=1) == {"reopened"}
    assert listed(pm, jobs, urgent=0, arrival="on_time", category=categories["water"].pk) == {
        "on_time"
    }


@pytest.mark.django_db
def test_received_dates_are_local_days_both_inclusive(pm, jobs):
    assert listed(pm, jobs, received_from="2026-01-31", received_to="2026-01-31") == {"boundary"}
    assert listed(pm, jobs, received_to="2026-01-31") == {"boundary"}
    assert "boundary" not in listed(pm, jobs, received_from="2026-02-01")


@pytest.mark.django_db
def test_text_search_by_number_tracking_code_unit_and_name(pm, jobs, unit):
    target = jobs["on_time"]
    assert listed(pm, jobs, q=target.number) == {"on_time"}
    assert listed(pm, jobs, q=target.number.lower()) == {"on_time"}
    assert listed(pm, jobs, q=f"{target.pk:06d}") == {"on_time"}  # the digits alone
    assert listed(pm, jobs, q=target.tracking_code) == {"on_time"}
    assert listed(pm, jobs, q="7-1-101") == {"late", "boundary"}
    assert listed(pm, jobs, q="李女") == {"late"}
    assert listed(pm, jobs, q=jobs["stranger"].number) == set()


@pytest.mark.django_db
def test_invalid_values_are_said_and_that_filter_left_out(pm, jobs, other_estate):
    url = reverse("tickets:repair-list")
    response = pm.get(
        url,
        {"arrival": "soon", "urgent": "1", "received_from": "yesterday"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="messages"' in html and "到场" in html  # the field's label, in Chinese
    assert {n for n, r in jobs.items() if f'data-testid="repair-{r.pk}"' in html} == {"late"}
    for params in (
        {"status": "bogus"},
        {"category": "999999"},
        {"technician": "x"},
        {"page": "zz"},
        {"received_to": "2026-13-45"},
    ):
        assert listed(pm, jobs, **params) == set(jobs) - {"stranger"}, params
    # An end before the start: the end is left out, the start still applies.
    assert listed(pm, jobs, received_from="2026-02-02", received_to="2026-02-01") == set(jobs) - {
        "stranger",
        "boundary",
    }
    # Another estate's id is refused (said so) and never shows its repairs.
    response = pm.get(url, {"estate": other_estate.pk})
    assert response.status_code == 200
    assert f'data-testid="repair-{jobs["stranger"].pk}"' not in response.content.decode()
    assert list(response.context["messages"])


@pytest.mark.django_db
def test_filters_keep_their_values_and_offer_a_clear_link(pm, jobs, categories):
    html = pm.get(
        reverse("tickets:repair-list"),
        {"arrival": "late", "category": categories["lighting"].pk, "q": "李女"},
    ).content.decode()
    assert '<option value="late" selected>' in html
    assert f'<option value="{categories["lighting"].pk}" selected>' in html
    assert 'value="李女"' in html
    assert f'href="{reverse("tickets:repair-list")}" data-testid="clear-filters"' in html


@pytest.mark.django_db
def test_who_may_open_the_lists(client, staff, jobs):
    urls = [
        reverse("tickets:repair-list"),
        reverse("tickets:complaint-list"),
        reverse("tickets:callback-list"),
    ]
    for role in ("supervisor", "project_manager", "quality", "gm", "frontdesk", "area_admin"):
        client.force_login(staff[role])
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)
    for role in ("technician", "patrol", "finance"):
        client.force_login(staff[role])
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302


@pytest.mark.django_db
def test_nav_entry_for_the_roles_that_may_open_it(client, staff):
    client.force_login(staff["quality"])
    url = reverse("tickets:repair-list")
    board = reverse("tickets:board")
    assert f'href="{url}"' in client.get(board).content.decode()
    html = client.get(board, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "报修记录" in html
    client.force_login(staff["technician"])
    assert f'href="{url}"' not in client.get(reverse("tickets:my-jobs")).content.decode()


@pytest.mark.django_db
def test_another_estates_repairs_are_never_listed(client, jobs, other_estate):
    stranger = make_staff("elsewhere", "gm", estates=[other_estate])
    client.force_login(stranger)
    assert listed(client, jobs) == {"stranger"}
    assert listed(client, jobs, q=jobs["on_time"].number) == set()


@pytest.mark.django_db
def test_a_page_costs_the_same_statements_whatever_its_rows(pm, estate, categories, staff, now):
    url = reverse("tickets:repair-list")

    def statements() -> int:
        pm.get(url)  # warm the session and the caches
        with CaptureQueriesContext(connection) as ctx:
            assert pm.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            r = repair(
                estate,
                categories["water"],
                unit=UnitFactory(building__estate=estate),
                technician=staff["technician"],
                received=now - (i + 1) * M,
            )
            clock(r, rrules.ARRIVAL, due=now + H)

    add(2)
    few = statements()
    add(20)
    assert statements() == few
    assert Deadline.objects.count() == 22


@pytest.mark.django_db
def test_across_estates_the_page_is_the_same_as_one_sorted_list(
    estate, other_estate, categories, staff, now
):
    """Several estates: each estate's newest rows are merged (selectors.lists.page_ids); the
    page must be exactly the slice of the one list sorted over all of them."""
    gm = make_staff("both", "gm", estates=[estate, other_estate])
    other_water = other_estate_category(other_estate, categories["water"])
    for i in range(7):
        repair(estate, categories["water"], received=now - i * 7 * M)
        repair(other_estate, other_water, received=now - (i * 7 + 3) * M)
    repair(estate, categories["water"], received=now - 14 * M)  # the same time in both
    queryset = lists.repair_list(gm, {}, now)
    everything = list(queryset.values_list("pk", flat=True))
    ids = [estate.pk, other_estate.pk]
    assert set(lists.estate_ids_in(gm, {})) == set(ids)
    for start, stop in ((0, 5), (3, 9), (10, 20), (14, 30)):
        assert lists.page_ids(queryset, start, stop, ids) == everything[start:stop], (start, stop)
    shown = lists.rows(queryset, 0, 4, now, ids)
    assert [r.pk for r in shown] == everything[:4]
    assert all(hasattr(r, "arrival_verdict") for r in shown)
