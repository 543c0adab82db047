"""The key cabinet screens: what the front desk sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.services import unit_handover_record
from keys import services
from keys.models import Key, KeyLoan
from tests.conftest import PASSWORD
from tests.factories import make_staff
from tests.keys.helpers import entrusted_key, make_key, make_owner, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, staff):
    client.login(username="frontdesk", password=PASSWORD)
    return client


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_one_search_answers_where_the_key_for_3_2_1502_is(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="A-12")
    body = page(desk, reverse("keys:cabinet"), q="3-2-1502")
    assert "3-2-1502" in body and "A-12" in body
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
    )
    loan = KeyLoan.objects.get()
    body = page(desk, reverse("keys:cabinet"), q="3-2-1502")
    since = timezone.localtime(loan.lent_at).strftime("%m-%d %H:%M")
    assert "technician" in body and since in body
    assert "借出" in body or "On loan" in body


def test_search_for_an_unknown_unit_says_so(desk, estate, staff):
    body = page(desk, reverse("keys:cabinet"), q="9-9-999")
    assert "没有找到“9-9-999”的钥匙" in body


def test_typing_an_exact_tag_code_opens_the_key(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    response = desk.get(reverse("keys:cabinet"), {"q": key.tag_code.lower()})
    assert response.status_code == 302 and response["Location"] == key.get_absolute_url()
    assert desk.get(reverse("keys:tag", args=[key.tag_code]))["Location"] == key.get_absolute_url()


def test_cabinet_lists_what_is_held_with_its_state(desk, estate, unit, staff):
    make_key(estate, staff["frontdesk"], unit, slot="A-1")
    make_key(estate, staff["frontdesk"], None, area="配电房", slot="Z-9")
    body = page(desk, reverse("keys:cabinet"))
    assert "配电房" in body and "Z-9" in body and "3-2-1502" in body


def test_label_has_an_inline_qr_code_for_the_key(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    body = page(desk, reverse("keys:label", args=[key.pk]))
    assert "<svg" in body and key.tag_code in body and "<?xml" not in body
    assert "<script" not in body.split("<main", 1)[1]


def test_key_history_and_borrower_history(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"])
    loan = services.loan_lend(
        key=key,
        borrower_person=person,
        phone=person.phone,
        count=2,
        reason="水管维修",
        actor=staff["frontdesk"],
    )
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"])
    body = page(desk, reverse("keys:key", args=[key.pk]))
    assert body.count("水管维修") >= 1 and "黄建国" in body
    body = page(desk, reverse("keys:borrower-person", args=[person.pk]))
    assert "水管维修" in body and key.tag_code in body
    body = page(desk, reverse("keys:borrower-staff", args=[staff["frontdesk"].pk]))
    assert "水管维修" not in body


def test_overdue_list_shows_loans_past_due(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    lent_at = timezone.now() - dt.timedelta(days=2)
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
        at=lent_at,
    )
    body = page(desk, reverse("keys:overdue"))
    assert 'data-testid="overdue-row"' in body and key.tag_code in body and "technician" in body
    assert "technician" in page(desk, reverse("keys:cabinet"))  # and on the cabinet board


def test_lend_form_refuses_a_second_loan_with_the_borrower_and_time(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    data = {
        "borrower_kind": "staff",
        "borrower_staff": staff["technician"].pk,
        "count": 1,
        "reason": "查漏",
        "phone": "13700000000",
    }
    assert desk.post(reverse("keys:lend", args=[key.pk]), data).status_code == 302
    response = desk.post(
        reverse("keys:lend", args=[key.pk]), {**data, "borrower_staff": staff["patrol"].pk}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "technician" in body
    assert KeyLoan.objects.count() == 1


def test_lend_form_long_loan_with_the_supervisor_password(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    due = (timezone.localtime() + dt.timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "borrower_kind": "staff",
        "borrower_staff": staff["technician"].pk,
        "count": 1,
        "reason": "长期",
        "phone": "13700000000",
        "due_at": due,
    }
    assert desk.post(reverse("keys:lend", args=[key.pk]), data).status_code == 400
    wrong = desk.post(
        reverse("keys:lend", args=[key.pk]),
        {**data, "approved_by": staff["supervisor"].pk, "approver_password": "nope"},
    )
    assert wrong.status_code == 400 and not KeyLoan.objects.exists()
    ok = desk.post(
        reverse("keys:lend", args=[key.pk]),
        {**data, "approved_by": staff["supervisor"].pk, "approver_password": PASSWORD},
    )
    assert ok.status_code == 302
    assert KeyLoan.objects.get().approved_by == staff["supervisor"]


def test_entrust_return_by_someone_else_through_the_screens(desk, estate, unit, staff):
    owner = make_owner(unit)
    form = page(desk, reverse("keys:entrust"), unit_code="3-2-1502", estate=estate.pk)
    assert owner.name in form and "不承担" in form  # the waiver, in Chinese by default
    url = reverse("keys:entrust") + f"?unit_code=3-2-1502&estate={estate.pk}"
    refused = desk.post(
        url,
        {
            "owner": owner.pk,
            "owner_id_last4": "1234",
            "identity_checked": "on",
            "count": 2,
            "reason": "出国",
        },
    )
    assert refused.status_code == 400 and not Key.objects.exists()  # no waiver signed
    done = desk.post(
        url,
        {
            "owner": owner.pk,
            "owner_id_last4": "1234",
            "identity_checked": "on",
            "count": 2,
            "reason": "出国",
            "waiver_accepted": "on",
        },
    )
    key = Key.objects.get()
    assert done.status_code == 302 and key.state == "at_desk"
    desk.post(
        reverse("keys:handover", args=[key.pk]),
        {"handed_by": staff["frontdesk"].pk, "handed_to": staff["area_admin"].pk, "slot": "E-1"},
    )
    key.refresh_from_db()
    assert key.state == "in_cabinet"
    release = {
        "collector_is_owner": "0",
        "collector_name": "李亲戚",
        "collector_id_last4": "5678",
        "identity_checked": "on",
    }
    refused = desk.post(reverse("keys:release", args=[key.pk]), release)
    assert refused.status_code == 400 and Key.objects.get().state == "in_cabinet"
    desk.post(
        reverse("keys:call", args=[key.pk]),
        {"phone": owner.phone, "collector_name": "李亲戚", "confirmed": "on"},
    )
    call = key.owner_calls.get()
    assert (
        desk.post(reverse("keys:release", args=[key.pk]), {**release, "call": call.pk}).status_code
        == 302
    )
    assert Key.objects.get().state == "returned_to_owner"
    body = page(desk, reverse("keys:key", args=[key.pk]))
    assert "李亲戚" in body and "5678" in body


def test_move_in_receipt_prints_two_copies(desk, estate, unit, staff):
    owner = make_owner(unit)
    key = make_key(estate, staff["frontdesk"], unit)
    data = {"owner": owner.pk, "owner_id_last4": "1234", "identity_checked": "on", "keys": [key.pk]}
    body = desk.post(reverse("keys:issue", args=[unit.pk]), data).content.decode()
    assert Key.objects.get().state == "in_cabinet"
    assert "交房" in body or "hand-over" in body
    unit_handover_record(unit=unit, owner=owner, at=timezone.now(), actor=staff["frontdesk"])
    response = desk.post(reverse("keys:issue", args=[unit.pk]), data, follow=True)
    body = response.content.decode()
    assert body.count('data-testid="receipt-number"') == 2
    assert ("业主联" in body and "存档联" in body) or (
        "Owner's copy" in body and "File copy" in body
    )
    assert owner.name in body and key.tag_code in body


def test_lost_key_report_consent_and_lock_change_screens(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="C-3")
    desk.post(
        reverse("keys:incident-new", args=[key.pk]),
        {"kind": "lost", "description": "遗失", "responsible_party": "维修部"},
    )
    incident = key.incidents.get()
    url = reverse("keys:incident", args=[incident.pk])
    desk.post(url, {"step": "consent", "consent_by": "开发商", "consent_how": "签字"})
    desk.post(url, {"step": "lock", "lock_changed_by": "锁匠", "new_count": 2, "new_slot": ""})
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.new_key.slot == "C-3"
    body = page(desk, reverse("keys:unit-file", args=[unit.pk]))
    assert key.tag_code in body and incident.new_key.tag_code in body


def test_vacant_page_and_csv(desk, estate, staff):
    from tests.factories import UnitFactory

    unit = UnitFactory(building__estate=estate, code="2-1-301", status="vacant")
    make_key(estate, staff["frontdesk"], unit)
    month = timezone.localdate().strftime("%Y-%m")
    desk.post(
        reverse("keys:vacant") + f"?estate={estate.code}&month={month}", {"estate": estate.code}
    )
    body = page(desk, reverse("keys:vacant"), estate=estate.code, month=month)
    assert "2-1-301" in body
    csv_body = desk.get(
        reverse("keys:vacant-csv"), {"estate": estate.code, "month": month}
    ).content.decode("utf-8-sig")
    assert "2-1-301" in csv_body and month in csv_body


def test_english_screens(desk, estate, unit, staff):
    make_key(estate, staff["frontdesk"], unit)
    desk.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = page(desk, reverse("keys:cabinet"))
    assert "Key cabinet" in body and "In the cabinet" in body


def test_chinese_is_the_default(desk, estate, unit, staff):
    make_key(estate, staff["frontdesk"], unit)
    body = page(desk, reverse("keys:cabinet"))
    assert "钥匙柜" in body


def test_a_stranger_gets_404_and_a_technician_403(client, estate, other_estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    make_staff("fd-other", "frontdesk", estates=[other_estate])
    client.login(username="fd-other", password=PASSWORD)
    for name in ("keys:key", "keys:lend", "keys:label", "keys:move"):
        assert client.get(reverse(name, args=[key.pk])).status_code == 404, name
    assert client.get(reverse("keys:tag", args=[key.tag_code])).status_code == 404
    assert (
        key.tag_code not in client.get(reverse("keys:cabinet"), {"q": "3-2-1502"}).content.decode()
    )
    client.logout()
    client.login(username="technician", password=PASSWORD)
    assert client.get(reverse("keys:cabinet")).status_code == 403


def test_entrusted_key_page_shows_the_register_line(desk, unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    body = page(desk, reverse("keys:key", args=[e.key_id]))
    assert "陈业主" in body and "1234" in body and "area_admin" in body


def test_front_desk_board_card_lists_overdue_keys(rf, estate, unit, staff):
    from django.template import Context, Template

    key = make_key(estate, staff["frontdesk"], unit)
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
        at=timezone.now() - dt.timedelta(days=2),
    )
    template = Template("{% load keys_board %}{% keys_overdue_board %}")
    request = rf.get("/")
    request.user = staff["frontdesk"]
    html = template.render(Context({"request": request}))
    assert key.tag_code in html and "technician" in html
    request.user = staff["technician"]
    assert key.tag_code not in template.render(Context({"request": request}))


def test_ledger_check_command(estate, unit, staff):
    from io import StringIO

    from django.core.management import CommandError, call_command

    key = make_key(estate, staff["frontdesk"], unit)
    out = StringIO()
    call_command("keys_check_ledger", stdout=out)
    assert "agree" in out.getvalue()
    Key.objects.filter(pk=key.pk).update(slot="Z-99")  # a change that bypassed the ledger
    with pytest.raises(CommandError):
        call_command("keys_check_ledger", stdout=StringIO())
