"""Worker passes and the gate check (docs/domain.md, "Renovation")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services
from inspections.models import PatrolItem, WorkerPass
from propserv.errors import InvalidTransition
from tests.factories import make_staff
from tests.inspections.conftest import login
from tests.inspections.helpers import apply, approved, at, issue_pass

pytestmark = pytest.mark.django_db


def test_a_pass_cannot_outlast_the_permit(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    with pytest.raises(ValidationError) as exc:
        issue_pass(renovation, staff, until=dt.date(2026, 9, 1))
    assert "valid_until" in exc.value.message_dict
    assert not WorkerPass.objects.exists()
    worker_pass = issue_pass(renovation, staff)
    assert worker_pass.number == "ZX2026-0001-01"
    assert issue_pass(renovation, staff, name="张师傅").number == "ZX2026-0001-02"


def test_no_pass_without_a_permit(unit, owner, person, staff):
    renovation = apply(unit, owner, person, staff["frontdesk"])
    with pytest.raises(InvalidTransition):
        issue_pass(renovation, staff)


def test_gate_sees_valid_expired_and_revoked(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    short = issue_pass(renovation, staff, name="短期", until=dt.date(2026, 7, 10))
    revoked = issue_pass(renovation, staff, name="被收回")
    patrol = staff["patrol"]
    assert selectors.gate_check(patrol, short.number, at(7, 10, 18))[0] == "valid"
    assert selectors.gate_check(patrol, short.number, at(7, 11, 8))[0] == "expired"
    services.pass_revoke(
        worker_pass=revoked, reason="打架", actor=staff["frontdesk"], at=at(7, 2, 9)
    )
    assert selectors.gate_check(patrol, revoked.number, at(7, 2, 9))[0] == "revoked"
    assert selectors.gate_check(patrol, "ZX2026-9999-01", at(7, 2, 9)) == ("unknown", None)
    stranger = make_staff("far", "patrol", estates=[])
    assert selectors.gate_check(stranger, short.number, at(7, 2, 9))[0] == "unknown"


def around_today(unit, owner, person, staff):
    """A renovation under way today (the pages read the real clock)."""
    today = timezone.localdate()
    return approved(
        unit,
        owner,
        person,
        staff,
        planned_start=today - dt.timedelta(days=10),
        planned_end=today + dt.timedelta(days=30),
    )


def test_gate_page_and_take_back(client, estate, unit, owner, person, staff):
    renovation = around_today(unit, owner, person, staff)
    now, today = timezone.now(), timezone.localdate()
    expired = issue_pass(
        renovation,
        staff,
        name="过期",
        until=today - dt.timedelta(days=1),
        when=now - dt.timedelta(days=3),
    )
    valid = issue_pass(
        renovation, staff, name="有效", until=today + dt.timedelta(days=30), when=now
    )
    login(client, "patrol")
    body = client.get(reverse("inspections:gate"), {"n": valid.number.lower()}).content.decode()
    assert 'data-state="valid"' in body and "有效" in body
    body = client.get(reverse("inspections:gate"), {"n": expired.number}).content.decode()
    assert 'data-state="expired"' in body
    listing = client.get(reverse("inspections:take-back"), {"estate": estate.code}).content.decode()
    assert expired.number in listing and valid.number not in listing
    response = client.post(reverse("inspections:pass-confiscate", args=[expired.pk]))
    assert response.status_code == 302
    expired.refresh_from_db()
    assert expired.confiscated_at is not None
    listing = client.get(reverse("inspections:take-back"), {"estate": estate.code}).content.decode()
    assert expired.number not in listing


def test_pass_prints_with_its_qr_code(client, unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    worker_pass = issue_pass(renovation, staff)
    login(client, "frontdesk")
    html = client.get(reverse("inspections:pass-print", args=[worker_pass.pk])).content.decode()
    assert worker_pass.number in html and "data:image/png;base64," in html
    pdf = client.get(reverse("inspections:pass-print", args=[worker_pass.pk]), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_gate_speaks_chinese_and_english(client, unit, owner, person, staff):
    renovation = around_today(unit, owner, person, staff)
    valid = issue_pass(
        renovation, staff, until=timezone.localdate() + dt.timedelta(days=3), when=timezone.now()
    )
    login(client, "patrol")
    url = reverse("inspections:gate")
    zh = client.get(url, {"n": valid.number}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "有效" in zh and "门岗查验" in zh
    en = client.get(url, {"n": valid.number}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "VALID" in en and "Gate check" in en


def test_passes_of_a_finished_renovation_are_listed_for_taking_back(
    estate, unit, owner, person, staff
):
    """Completion expires every pass at the gate at once; the take-back list shows them too,
    not only once their printed date has passed."""
    today = timezone.localdate()
    renovation = approved(
        unit,
        owner,
        person,
        staff,
        planned_start=today - dt.timedelta(days=10),
        planned_end=today + dt.timedelta(days=30),
    )
    worker_pass = issue_pass(
        renovation, staff, until=today + dt.timedelta(days=20), when=timezone.now()
    )
    now = timezone.now()
    assert selectors.passes_to_take_back(staff["patrol"], estate, now) == []
    services.acceptance_request(renovation=renovation, actor=staff["frontdesk"])
    services.acceptance_record(
        renovation=renovation,
        items={code: "ok" for code in PatrolItem.values},
        actor=staff["supervisor"],
    )
    worker_pass = WorkerPass.objects.select_related("renovation").get(pk=worker_pass.pk)
    assert services.pass_state(worker_pass, now) == "expired"
    assert selectors.passes_to_take_back(staff["patrol"], estate, now) == [(worker_pass, "expired")]
