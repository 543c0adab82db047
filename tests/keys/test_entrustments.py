"""Owner entrustment: intake, hand-over to the area administrator, the confirmation call and
the return to the owner or someone they named."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

import keys.services.cabinet
import keys.services.entrustments
from keys import services
from keys.models import Entrustment, Key, KeyEvent
from keys.selectors import key_ledger_check
from tests.keys.helpers import at, entrusted_key, make_key, make_owner, page

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


def test_entrustment_needs_identity_and_the_signed_waiver(unit, staff):
    owner = make_owner(unit)
    base = dict(
        owner=owner, count=1, reason="出差", owner_id_last4="1234", actor=staff["frontdesk"]
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_intake(identity_checked=False, waiver_accepted=True, **base)
    assert "identity_checked" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.entrustment_intake(identity_checked=True, waiver_accepted=False, **base)
    assert "waiver_accepted" in exc.value.message_dict
    assert not Key.objects.exists()


def test_entrustment_then_handover_names_both_people(unit, staff):
    owner = make_owner(unit)
    e = services.entrustment_intake(
        owner=owner,
        count=2,
        reason="业主出国",
        owner_id_last4="123x",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
        at=at(2, 9),
    )
    assert e.key.state == "at_desk" and e.owner_id_last4 == "123X"
    assert "不承担" in e.waiver_text or "no responsibility" in e.waiver_text
    with pytest.raises(ValidationError):  # the receiver must be a custodian
        services.entrustment_handover(
            entrustment=e,
            handed_by=staff["frontdesk"],
            handed_to=staff["technician"],
            slot="E-1",
            actor=staff["frontdesk"],
        )
    services.entrustment_handover(
        entrustment=e,
        handed_by=staff["frontdesk"],
        handed_to=staff["area_admin"],
        slot="E-1",
        actor=staff["frontdesk"],
        at=at(2, 10),
    )
    e.refresh_from_db()
    key = Key.objects.get(pk=e.key_id)
    assert (key.state, key.slot, key.in_cabinet_count) == ("in_cabinet", "E-1", 2)
    assert (e.handed_by, e.handed_to) == (staff["frontdesk"], staff["area_admin"])
    handed = KeyEvent.objects.get(key=key, kind="handed_over")
    assert "frontdesk" in handed.from_text and "area_admin" in handed.to_text
    assert key_ledger_check(key) == []


def test_handing_over_into_a_slot_taken_meanwhile_is_a_slot_error(
    estate, unit, staff, slot_check_lost_the_race
):
    make_key(estate, staff["frontdesk"], None, slot="E-01")
    entrustment = services.entrustment_intake(
        owner=make_owner(unit),
        count=2,
        reason="业主出国",
        owner_id_last4="1234",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
        at=at(2, 9),
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_handover(
            entrustment=entrustment,
            handed_by=staff["frontdesk"],
            handed_to=staff["area_admin"],
            slot="E-01",
            actor=staff["frontdesk"],
        )
    assert list(exc.value.message_dict) == ["slot"]
    entrustment.refresh_from_db()
    assert entrustment.handed_over_at is None
    assert Key.objects.get(pk=entrustment.key_id).state == "at_desk"


def test_a_double_submitted_intake_is_one_key(unit, staff):
    owner = make_owner(unit)
    data = dict(
        owner=owner,
        count=2,
        reason="业主出国",
        owner_id_last4="1234",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
    )
    first = services.entrustment_intake(**data, at=at(2, 9))
    again = services.entrustment_intake(**data, at=at(2, 9, 1))
    assert again.pk == first.pk
    assert Key.objects.filter(unit=unit).count() == 1
    assert Entrustment.objects.count() == 1
    # a different bunch, or the same one much later, is a new entrustment
    other = services.entrustment_intake(**{**data, "count": 1}, at=at(2, 9, 2))
    later = services.entrustment_intake(**data, at=at(2, 10))
    assert len({first.pk, other.pk, later.pk}) == 3


def test_after_the_handover_the_same_owner_may_entrust_again(unit, staff):
    owner = make_owner(unit)
    first = entrusted_key(owner, staff, when=at(2, 9))
    second = services.entrustment_intake(
        owner=owner,
        count=2,
        reason="业主出国",
        owner_id_last4="1234",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
        at=at(2, 9, 3),
    )
    assert second.pk != first.pk


def test_owner_collects_in_person(unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    services.entrustment_release(
        entrustment=e,
        collector_is_owner=True,
        collector_name="",
        collector_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
        at=at(5, 9),
    )
    key = Key.objects.get(pk=e.key_id)
    assert key.state == "returned_to_owner"
    assert kinds(key)[-1] == "returned_to_owner"
    assert key_ledger_check(key) == []


def test_someone_else_collects_only_after_a_confirmed_logged_call(unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    release = dict(
        entrustment=e,
        collector_is_owner=False,
        collector_name="李亲戚",
        collector_id_last4="5678",
        identity_checked=True,
        actor=staff["frontdesk"],
        at=at(5, 10),
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_release(**release)
    assert "call" in exc.value.message_dict
    refused = services.owner_call_log(
        key=e.key,
        phone="13800001111",
        confirmed=False,
        collector_name="李亲戚",
        actor=staff["frontdesk"],
        at=at(5, 9),
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_release(call=refused, **release)
    assert "did not confirm" in str(exc.value) or "没有确认" in str(exc.value)
    call = services.owner_call_log(
        key=e.key,
        phone="13800001111",
        confirmed=True,
        collector_name="李亲戚",
        actor=staff["frontdesk"],
        at=at(5, 9, 30),
    )
    with pytest.raises(ValidationError):  # the owner named someone else
        services.entrustment_release(call=call, **{**release, "collector_name": "王陌生"})
    services.entrustment_release(call=call, **release)
    e.refresh_from_db()
    assert (
        e.release_call == call and e.collector_name == "李亲戚" and e.collector_id_last4 == "5678"
    )
    assert Key.objects.get(pk=e.key_id).state == "returned_to_owner"
    assert kinds(e.key).count("owner_call") == 2


def test_an_old_call_does_not_authorise_a_collection(unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    call = services.owner_call_log(
        key=e.key,
        phone="13800001111",
        confirmed=True,
        collector_name="李亲戚",
        actor=staff["frontdesk"],
        at=at(5, 9),
    )
    with pytest.raises(ValidationError):
        services.entrustment_release(
            entrustment=e,
            collector_is_owner=False,
            collector_name="李亲戚",
            collector_id_last4="5678",
            identity_checked=True,
            call=call,
            actor=staff["frontdesk"],
            at=at(7, 9),
        )


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


def test_entrusted_key_page_shows_the_register_line(desk, unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    body = page(desk, reverse("keys:key", args=[e.key_id]))
    assert "陈业主" in body and "1234" in body and "area_admin" in body
