"""The cabinet: registering keys, slots and tag codes, moving, the search, a key's page, labels."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import keys.services.cabinet
import keys.services.entrustments
from keys import services
from keys.models import Key, KeyEvent, KeyLoan
from keys.selectors import key_ledger_check
from tests.conftest import PASSWORD
from tests.factories import make_staff
from tests.keys.helpers import make_key, make_person, page

pytestmark = pytest.mark.django_db


def kinds(key):
    return list(
        KeyEvent.objects.filter(key=key).order_by("at", "pk").values_list("kind", flat=True)
    )


@pytest.fixture
def slot_check_lost_the_race(monkeypatch):
    """Between the slot check and the save another request takes the slot: the check passes,
    the database constraint then catches the clash."""

    def taken_meanwhile(estate, slot, **kw):
        return slot.upper()

    monkeypatch.setattr(keys.services.cabinet, "check_slot_free", taken_meanwhile)
    monkeypatch.setattr(keys.services.entrustments, "check_slot_free", taken_meanwhile)


def test_register_puts_the_key_in_its_slot_and_writes_the_first_event(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="a-12")
    assert (key.state, key.slot, key.count, key.in_cabinet_count) == ("in_cabinet", "A-12", 2, 2)
    assert key.tag_code == "3-2-1502-K1"
    assert kinds(key) == ["registered"]
    assert key_ledger_check(key) == []


def test_register_is_idempotent_on_the_tag_code(estate, unit, staff):
    first = services.key_register(
        estate=estate,
        kind="developer",
        unit=unit,
        count=2,
        slot="A-1",
        tag_code="X-1",
        actor=staff["frontdesk"],
    )
    again = services.key_register(
        estate=estate,
        kind="developer",
        unit=unit,
        count=2,
        slot="A-2",
        tag_code="X-1",
        actor=staff["frontdesk"],
    )
    assert again.pk == first.pk
    assert KeyEvent.objects.filter(key=first).count() == 1


def test_a_slot_holds_one_key(estate, unit, staff):
    make_key(estate, staff["frontdesk"], unit, slot="A-01")
    with pytest.raises(ValidationError) as exc:
        make_key(estate, staff["frontdesk"], None, slot="A-01")
    assert "A-01" in str(exc.value)


def test_tag_codes_cannot_break_urls(estate, unit, staff):
    with pytest.raises(ValidationError):
        services.key_register(
            estate=estate,
            kind="developer",
            unit=unit,
            count=1,
            slot="A-1",
            tag_code="A/1",
            actor=staff["frontdesk"],
        )


def test_moving_into_a_slot_taken_meanwhile_is_a_slot_error(
    estate, unit, staff, slot_check_lost_the_race
):
    make_key(estate, staff["frontdesk"], None, slot="A-1")
    key = make_key(estate, staff["frontdesk"], unit, slot="A-2")
    with pytest.raises(ValidationError) as exc:
        services.key_move(key=key, slot="A-1", actor=staff["frontdesk"])
    assert list(exc.value.message_dict) == ["slot"]
    assert Key.objects.get(pk=key.pk).slot == "A-2"
    assert not KeyEvent.objects.filter(key=key, kind="moved").exists()


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
