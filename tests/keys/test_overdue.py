"""The overdue chase of key loans through the core deadline engine: each level fires once, and
the ladder is the loan policy's (KeyLoanReturnPolicy.ladder), also after the estate's settings
are saved and every open clock recomputed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from keys import services
from propserv.deadlines import deadlines_recompute, sweep
from propserv.models import Deadline, DeadlineEscalation, Notification
from tests.keys.helpers import at, make_key, make_person

pytestmark = pytest.mark.django_db


def notes(user):
    return list(
        Notification.objects.filter(recipient=user, dedupe_key__startswith="deadline:")
        .order_by("pk")
        .values_list("title", flat=True)
    )


def test_overdue_chase_fires_once_per_level(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"], liaison=staff["area_admin"])
    loan = services.loan_lend(
        key=key,
        borrower_person=person,
        phone=person.phone,
        count=1,
        reason="水管维修",
        actor=staff["frontdesk"],
        at=at(10, 10),
    )
    due = loan.due_at  # 23:59:59 the same day
    deadline = Deadline.objects.for_subject(loan).get()
    desk, contact, boss = staff["frontdesk"], staff["area_admin"], staff["supervisor"]

    assert sweep(now=at(10, 12)) == 0  # nothing yet

    # level 0: the warning before the due time, to the borrower's contact and the front desk
    sweep(now=at(10, 21))
    sweep(now=at(10, 21, 30))
    assert len(notes(contact)) == 1 and len(notes(desk)) == 1 and notes(boss) == []
    assert "3-2-1502" in notes(desk)[0]

    # level 1: at the due time, the same people again
    sweep(now=due + dt.timedelta(minutes=1))
    sweep(now=due + dt.timedelta(minutes=2))
    assert len(notes(contact)) == 2 and len(notes(desk)) == 2 and notes(boss) == []

    # level 2: key_overdue_escalate_days (3) later, the supervisor
    sweep(now=due + dt.timedelta(days=3) - dt.timedelta(minutes=1))
    assert notes(boss) == []
    sweep(now=due + dt.timedelta(days=3, minutes=1))
    sweep(now=due + dt.timedelta(days=5))
    assert len(notes(boss)) == 1 and len(notes(contact)) == 2 and len(notes(desk)) == 2
    assert list(
        DeadlineEscalation.objects.filter(deadline=deadline).values_list("level", flat=True)
    ) == [0, 1, 2]
    deadline.refresh_from_db()
    assert deadline.next_check_at is None and deadline.escalation_level == 2

    # the technician, who has nothing to do with it, heard nothing
    assert notes(staff["technician"]) == []


def test_a_staff_borrower_is_chased_directly_and_a_return_stops_the_chase(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
        at=at(10, 10),
    )
    sweep(now=at(10, 21))
    assert len(notes(staff["technician"])) == 1
    services.loan_return(loan=loan, count=1, actor=staff["frontdesk"], at=at(10, 22))
    sweep(now=loan.due_at + dt.timedelta(days=10))
    assert len(notes(staff["technician"])) == 1 and notes(staff["supervisor"]) == []
    assert Deadline.objects.for_subject(loan).get().met_at == at(10, 22)


def test_the_supervisor_step_follows_the_estate_setting(estate, unit, staff):
    settings_row = estate.service_settings
    settings_row.key_overdue_escalate_days = 1
    settings_row.save()
    key = make_key(estate, staff["frontdesk"], unit)
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
        at=at(10, 10),
    )
    sweep(now=loan.due_at + dt.timedelta(days=1, minutes=1))
    assert len(notes(staff["supervisor"])) == 1


def lend_to_technician(estate, unit, staff, when=None):
    key = make_key(estate, staff["frontdesk"], unit)
    return services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
        at=when or at(10, 10),
    )


def test_recomputing_open_clocks_keeps_the_loan_ladder(estate, unit, staff):
    """The defect: saving an estate recomputed open clocks and gave every open key loan the
    repairs' escalation step (30 minutes) instead of key_overdue_escalate_days."""
    loan = lend_to_technician(estate, unit, staff)
    deadlines_recompute(estate=estate)
    deadline = Deadline.objects.for_subject(loan).get()
    assert deadline.escalation_step == dt.timedelta(days=3)
    assert deadline.max_escalation_level == 2
    # and the supervisor hears after three days, not after half an hour
    sweep(now=loan.due_at + dt.timedelta(minutes=1))
    sweep(now=loan.due_at + dt.timedelta(hours=2))
    assert notes(staff["supervisor"]) == []
    sweep(now=loan.due_at + dt.timedelta(days=3, minutes=1))
    assert len(notes(staff["supervisor"])) == 1


def _admin_form_data(response) -> dict:
    """The change page's forms as the browser would post them back unchanged."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_saving_the_estate_in_the_admin_keeps_the_loan_ladder(
    client, admin_user, estate, unit, staff, run_on_commit
):
    loan = lend_to_technician(estate, unit, staff)
    client.force_login(admin_user)
    url = reverse("admin:propserv_estate_change", args=[estate.pk])
    data = _admin_form_data(client.get(url))
    settings_prefix = next(k for k in data if k.endswith("-key_overdue_escalate_days"))
    data[settings_prefix] = 2  # the supervisor now hears two days after the breach
    with run_on_commit(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    deadline = Deadline.objects.for_subject(loan).get()
    assert deadline.escalation_step == dt.timedelta(days=2)
    assert deadline.max_escalation_level == 2
