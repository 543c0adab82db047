"""Django admin for the reference data: pages load, staff are set up in one place, calendar edits
go through the calendar services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from propserv.models import CalendarDay, CalendarYear, StaffProfile
from propserv.workdays import ensure_year, is_working_day, years_needing_confirmation
from tests.factories import ResidentFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        "estate",
        "building",
        "unit",
        "resident",
        "staffprofile",
        "calendaryear",
        "calendarday",
        "deadline",
        "notification",
    ],
)
def test_changelists_load(client, admin_user, unit, model):
    ResidentFactory(unit=unit)
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:propserv_{model}_changelist")).status_code == 200


@pytest.mark.django_db
def test_user_page_sets_the_estates_of_a_staff_member(client, admin_user, estate, other_estate):
    client.force_login(admin_user)
    user = get_user_model().objects.create_user("newhire", password="x-12345678")
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = client.get(url).content.decode()
    assert 'name="staff-0-estates"' in page
    data = {
        "username": "newhire",
        "is_active": "on",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        "staff-TOTAL_FORMS": "1",
        "staff-INITIAL_FORMS": "0",
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1",
        "staff-0-estates": [str(other_estate.pk)],
        "staff-0-phone": "13800138000",
        "staff-0-user": str(user.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = StaffProfile.objects.get(user=user)
    assert list(profile.estates.all()) == [other_estate]
    assert profile.phone == "13800138000"


@pytest.mark.django_db
def test_admin_action_confirms_provisional_years(client, admin_user):
    ensure_year(2027)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:propserv_calendaryear_changelist"),
        {"action": "confirm_years", "_selected_action": ["2027"]},
    )
    assert response.status_code == 302
    assert not years_needing_confirmation().exists()
    assert CalendarYear.objects.get(year=2027).confirmed_by == admin_user
    # Years cannot be added or deleted by hand: the calendar seeds them.
    assert client.get(reverse("admin:propserv_calendaryear_add")).status_code == 403


@pytest.mark.django_db
def test_admin_adds_and_removes_a_holiday(client, admin_user, django_capture_on_commit_callbacks):
    from propserv.workdays import calendar_changed

    heard = []

    def receiver(sender, dates, **kwargs):
        heard.append(dates)

    calendar_changed.connect(receiver)
    client.force_login(admin_user)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:propserv_calendarday_add"),
                {"date": "2026-11-23", "kind": "holiday", "name": "台风停工"},
            )
        assert response.status_code == 302
        assert not is_working_day(dt.date(2026, 11, 23))
        assert heard == [[dt.date(2026, 11, 23)]]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:propserv_calendarday_delete", args=["2026-11-23"]),
                {"post": "yes"},
            )
        assert response.status_code == 302
        assert is_working_day(dt.date(2026, 11, 23))
        assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 23)).exists()
    finally:
        calendar_changed.disconnect(receiver)


@pytest.mark.django_db
def test_staff_who_are_not_admins_cannot_open_the_admin(client, staff):
    client.force_login(staff["gm"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response["Location"]
