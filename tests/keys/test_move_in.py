"""Move-in keys: issued only once the hand-over is recorded (the inspections gate), with a
two-copy receipt."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections.services import unit_handover_record
from keys import services
from keys.models import Key
from keys.selectors import key_ledger_check
from propserv.errors import InvalidTransition
from tests.factories import ResidentFactory
from tests.keys.helpers import at, make_key, make_owner

pytestmark = pytest.mark.django_db


def test_move_in_keys_only_after_the_handover_is_recorded(estate, unit, staff):
    owner = make_owner(unit)
    key = make_key(estate, staff["frontdesk"], unit)
    issue = dict(
        unit=unit,
        owner=owner,
        keys=[key],
        owner_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
        at=at(6, 10),
    )
    with pytest.raises(InvalidTransition) as exc:
        services.keys_issue_to_owner(**issue)
    assert "3-2-1502" in str(exc.value)
    assert Key.objects.get(pk=key.pk).state == "in_cabinet"

    unit_handover_record(unit=unit, owner=owner, at=at(6, 9), actor=staff["frontdesk"])
    receipt = services.keys_issue_to_owner(**issue)
    assert list(receipt.lines.values_list("key_id", "count")) == [(key.pk, 2)]
    assert receipt.number.startswith("KR20260306-")
    key.refresh_from_db()
    assert key.state == "returned_to_owner" and key.in_cabinet_count == 0
    assert services.keys_issue_to_owner(**issue).pk == receipt.pk  # idempotent
    assert key_ledger_check(key) == []


def test_handover_names_an_owner_of_the_unit(unit, staff):
    tenant = ResidentFactory(unit=unit, role="tenant")
    with pytest.raises(ValidationError):
        unit_handover_record(unit=unit, owner=tenant, at=at(6, 9), actor=staff["frontdesk"])


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


def test_the_receipt_prints_as_a_pdf_too(desk, estate, unit, staff):
    owner = make_owner(unit)
    key = make_key(estate, staff["frontdesk"], unit)
    unit_handover_record(unit=unit, owner=owner, at=timezone.now(), actor=staff["frontdesk"])
    receipt = services.keys_issue_to_owner(
        unit=unit,
        owner=owner,
        keys=[key],
        owner_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
    )
    response = desk.get(reverse("keys:receipt", args=[receipt.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert receipt.number in response["Content-Disposition"]


def test_the_issue_page_shows_the_hand_over_line_from_inspections(desk, estate, unit, staff):
    owner = make_owner(unit)
    make_key(estate, staff["frontdesk"], unit)
    url = reverse("keys:issue", args=[unit.pk])
    before = desk.get(url).content.decode()
    button = '<button type="submit" class="primary" disabled>'
    assert button in before and 'data-panel="inspections.handover"' not in before
    unit_handover_record(unit=unit, owner=owner, at=timezone.now(), actor=staff["frontdesk"])
    after = desk.get(url).content.decode()
    assert 'data-panel="inspections.handover"' in after and owner.name in after
    assert button not in after
