"""The desk is never left guessing (issue 12, items 4 and 11): registering a contractor from the
loan form leads back to it with the person chosen; after a contractor's return the loan says who
inspects and where their list is; counts and states read right in both languages."""

from __future__ import annotations

import pytest
from django.test import Client

from keys import services
from keys.models import Contractor
from tests.conftest import PASSWORD
from tests.factories import UnitFactory, make_staff
from tests.keys.helpers import make_key, make_person

pytestmark = pytest.mark.django_db


def test_registering_a_contractor_from_the_loan_form_leads_back_to_it(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    lend_url = f"/keys/{key.pk}/lend/"
    form = desk.get(lend_url).content.decode()
    link = f"/keys/contractors/?next={lend_url}"
    assert link in form

    page = desk.get(link).content.decode()
    assert 'data-testid="back-to-loan"' in page and f'href="{lend_url}"' in page
    response = desk.post(link, {"estate": estate.pk, "name": "安居装饰", "next": lend_url})
    contractor = Contractor.objects.get(name="安居装饰")
    assert response.status_code == 302
    assert response["Location"].startswith(contractor.get_absolute_url() + "?next=")
    page = desk.get(response["Location"]).content.decode()
    assert "安居装饰 已登记" in page  # the success message
    assert 'data-testid="back-to-loan"' in page

    response = desk.post(
        response["Location"],
        {"name": "黄建国", "phone": "13912345678", "id_last4": "321X", "next": lend_url},
    )
    person = contractor.people.get()
    assert response.status_code == 302 and response["Location"] == f"{lend_url}?person={person.pk}"
    page = desk.get(response["Location"]).content.decode()
    assert "黄建国 已登记为施工负责人" in page or "黄建国" in page
    assert f'<option value="{person.pk}" selected>' in page


def test_an_outside_next_is_ignored(desk, estate, unit, staff):
    response = desk.post(
        "/keys/contractors/?next=https://evil.example/",
        {"estate": estate.pk, "name": "安居装饰", "next": "https://evil.example/"},
    )
    contractor = Contractor.objects.get()
    assert response["Location"] == contractor.get_absolute_url()


def test_after_a_contractors_return_the_desk_sees_who_inspects(desk, estate, unit, staff):
    guard = make_staff("guard", "patrol", estates=[estate], first_name="保安李")
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"])
    loan = services.loan_lend(
        key=key,
        count=2,
        reason="装修",
        phone=person.phone,
        borrower_person=person,
        actor=staff["frontdesk"],
    )
    response = desk.post(f"/keys/loans/{loan.pk}/return/", {"count": 2}, follow=True)
    page = response.content.decode()
    assert "验房" in page and guard.first_name in page and staff["patrol"].username in page
    assert 'data-testid="who-inspects"' in page and "/keys/loans/?awaiting=1" in page
    assert "清点 2 把" in page
    todo = desk.get("/keys/loans/?awaiting=1").content.decode()
    assert loan.get_absolute_url() in todo
    # The patrol guard finds it from the cabinet too.
    desk.logout()
    desk.login(username="patrol", password=PASSWORD)
    assert "/keys/loans/?awaiting=1" in desk.get("/keys/").content.decode()


def test_english_counts_and_states(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, count=1)
    loan = services.loan_lend(
        key=key,
        count=1,
        reason="x",
        phone="13712345678",
        borrower_staff=staff["technician"],
        actor=staff["frontdesk"],
    )
    services.loan_return(loan=loan, count=1, actor=staff["frontdesk"])
    desk.cookies["django_language"] = "en"
    page = desk.get(loan.get_absolute_url()).content.decode()
    assert "1 key counted" in page and "1 keys" not in page
    desk.cookies["django_language"] = "zh-hans"
    cabinet = desk.get("/keys/?q=" + key.tag_code).content.decode()
    assert "打开" not in cabinet


def test_the_contractor_page_shows_id_digits_to_the_desk_only(client, estate, staff):
    """As on /api/v1/contractors/: the patrol guard sees the masked phone and no ID digits."""
    person = make_person(estate, staff["frontdesk"])
    url = person.contractor.get_absolute_url()
    client.login(username="patrol", password=PASSWORD)
    page = client.get(url).content.decode()
    assert "黄建国" in page and "139****5678" in page
    assert "321X" not in page and "13912345678" not in page
    client.login(username="frontdesk", password=PASSWORD)
    page = client.get(url).content.decode()
    assert "321X" in page and "13912345678" in page


def test_lend_to_this_person_keeps_the_loan_forms_own_query(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"])
    back = f"/keys/{key.pk}/lend/?count=2"
    page = desk.get(person.contractor.get_absolute_url(), {"next": back}).content.decode()
    assert f'href="/keys/{key.pk}/lend/?count=2&amp;person={person.pk}"' in page


def test_without_a_patrol_guard_the_people_named_as_told_are_told(other_estate):
    """The desk reads "<names> will inspect it (they have been told)": in an estate without a
    patrol guard those are the area administrator and the supervisor, so they get the bell."""
    desk = make_staff("desk2", "frontdesk", estates=[other_estate])
    admin = make_staff("admin2", "area_admin", estates=[other_estate], first_name="区管王")
    boss = make_staff("boss2", "supervisor", estates=[other_estate])
    unit = UnitFactory(building__estate=other_estate, building__code="1", code="1-1-101")
    key = make_key(other_estate, desk, unit)
    person = make_person(other_estate, desk)
    loan = services.loan_lend(
        key=key, count=2, reason="装修", phone=person.phone, borrower_person=person, actor=desk
    )
    client = Client()
    client.login(username="desk2", password=PASSWORD)
    page = client.post(f"/keys/loans/{loan.pk}/return/", {"count": 2}, follow=True)
    assert admin.first_name in page.content.decode()
    for user in (admin, boss):
        assert user.notifications.filter(title__contains="1-1-101").count() == 1
    assert not desk.notifications.filter(title__contains="1-1-101").exists()
