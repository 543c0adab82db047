"""Lost or damaged keys: report, the owner's consent, the lock change, the new key."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keys import services
from keys.models import Key, KeyEvent, KeyIncident
from keys.selectors import key_ledger_check
from propserv.errors import InvalidTransition
from propserv.models import Deadline
from tests.keys.helpers import at, entrusted_key, make_key, make_owner, page

pytestmark = pytest.mark.django_db


def kinds(key):
    return list(
        KeyEvent.objects.filter(key=key).order_by("at", "pk").values_list("kind", flat=True)
    )


def test_a_key_lost_on_loan_closes_the_loan_then_the_lock_is_changed(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="B-07")
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=2,
        reason="维修",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    incident = services.incident_report(
        key=key,
        kind="lost",
        description="维修工遗失",
        responsible_party="维修部",
        actor=staff["frontdesk"],
        at=at(10, 12),
    )
    loan.refresh_from_db()
    key.refresh_from_db()
    assert loan.status == "closed" and loan.close_reason == "key_lost" and key.state == "lost"
    assert Deadline.objects.for_subject(loan).get().cancelled_at == at(10, 12)
    with pytest.raises(InvalidTransition):
        services.incident_lock_change(
            incident=incident,
            lock_changed_by="锁匠",
            new_count=2,
            new_slot="",
            actor=staff["frontdesk"],
        )
    services.incident_consent(
        incident=incident,
        consent_by="开发商 赵经理",
        consent_how="签字同意",
        actor=staff["frontdesk"],
        at=at(10, 14),
    )
    incident = services.incident_lock_change(
        incident=incident,
        lock_changed_by="维修部 张师傅",
        new_count=3,
        new_slot="",
        actor=staff["frontdesk"],
        at=at(11, 10),
    )
    key.refresh_from_db()
    new = incident.new_key
    assert key.state == "retired" and incident.status == KeyIncident.Status.CLOSED
    assert (new.replaces, new.state, new.count, new.slot, new.tag_code) == (
        key,
        "in_cabinet",
        3,
        "B-07",
        "3-2-1502-K2",
    )
    assert kinds(key)[-4:] == ["reported_lost", "owner_consent", "lock_changed", "retired"]
    assert key_ledger_check(key) == [] and key_ledger_check(new) == []


def test_a_damaged_key_stays_but_cannot_be_lent_until_replaced(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    services.incident_report(
        key=key,
        kind="damaged",
        description="钥匙断了",
        responsible_party="物业",
        actor=staff["frontdesk"],
    )
    key.refresh_from_db()
    assert key.state == "in_cabinet"
    with pytest.raises(InvalidTransition):
        services.loan_lend(
            key=key,
            borrower_staff=staff["technician"],
            phone="13700000000",
            count=1,
            reason="x",
            actor=staff["frontdesk"],
        )


def test_an_entrusted_key_replaced_after_a_lock_change_can_still_be_returned(unit, staff):
    owner = make_owner(unit)
    e = entrusted_key(owner, staff)
    incident = services.incident_report(
        key=e.key,
        kind="damaged",
        description="锁芯坏",
        responsible_party="业主",
        actor=staff["frontdesk"],
    )
    services.incident_consent(
        incident=incident, consent_by=owner.name, consent_how="电话同意", actor=staff["frontdesk"]
    )
    incident = services.incident_lock_change(
        incident=incident,
        lock_changed_by="锁匠",
        new_count=1,
        new_slot="E-02",
        actor=staff["frontdesk"],
    )
    new = incident.new_key
    assert new.kind == "entrusted" and new.owner == owner
    services.entrustment_release(
        entrustment=new.entrustment,
        collector_is_owner=True,
        collector_name="",
        collector_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
    )
    assert Key.objects.get(pk=new.pk).state == "returned_to_owner"


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
