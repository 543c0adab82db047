"""The working-day calendar: official years agree with chinese-calendar, later years are
provisional until an admin confirms them, edits are visible in the API, no date ever crashes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.urls import reverse

from propserv.models import CalendarDay, CalendarYear
from propserv.workdays import (
    WorkCalendar,
    add_working_days,
    calendar_changed,
    calendar_confirm_year,
    calendar_set_day,
    end_of_working_days,
    ensure_year,
    is_working_day,
    years_needing_confirmation,
)
from tests.conftest import api_as

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=SHANGHAI)


# --- the official years -------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_day_2018_to_2026_agrees_with_chinese_calendar():
    cal = WorkCalendar()
    day, disagreements = dt.date(2018, 1, 1), []
    while day <= dt.date(2026, 12, 31):
        if cal.is_working_day(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []
    for year in range(2018, 2027):
        cal_year = CalendarYear.objects.get(year=year)
        assert cal_year.source == CalendarYear.Source.OFFICIAL
        assert cal_year.provisional is False


@pytest.mark.django_db
def test_national_day_2025():
    cal = WorkCalendar()
    for day in range(1, 9):  # 1–8 October 2025: National Day and Mid-autumn together
        info = cal.info(dt.date(2025, 10, day))
        assert (info.is_working_day, info.reason) == (False, "holiday"), day
    assert cal.info(dt.date(2025, 10, 1)).name == "国庆节"
    assert cal.is_working_day(dt.date(2025, 10, 9))
    # Sunday 28 September and Saturday 11 October are worked (调休).
    for day in (dt.date(2025, 9, 28), dt.date(2025, 10, 11)):
        info = cal.info(day)
        assert day.weekday() >= 5
        assert (info.is_working_day, info.reason) == (True, "adjusted_workday")


@pytest.mark.django_db
def test_spring_festival_2026_and_its_adjusted_saturdays():
    cal = WorkCalendar()
    for day in range(15, 24):  # 15–23 February 2026
        info = cal.info(dt.date(2026, 2, day))
        assert not info.is_working_day, day
        assert info.reason == "holiday" and info.name == "春节"
    saturday = dt.date(2026, 2, 14)
    assert saturday.weekday() == 5
    info = cal.info(saturday)
    assert (info.is_working_day, info.reason, info.name) == (True, "adjusted_workday", "春节")
    assert is_working_day(dt.date(2026, 2, 28))  # the other 调休 Saturday
    assert not is_working_day(dt.date(2026, 3, 7))  # an ordinary Saturday
    assert cal.info(dt.date(2026, 3, 7)).reason == "weekend"


@pytest.mark.django_db
def test_add_working_days():
    assert add_working_days(dt.date(2026, 2, 13), 0) == dt.date(2026, 2, 13)
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)  # 调休 Saturday
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 24)  # over the holiday
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 2, 13), -1)


# --- "reply within 4 working days" --------------------------------------------------------------


@pytest.mark.django_db
def test_four_working_days_from_a_friday_evening():
    # Friday 14 November 2025, 20:30: Mon 17, Tue 18, Wed 19, Thu 20.
    due, provisional = end_of_working_days(at(2025, 11, 14, 20, 30), 4)
    assert due == end_of(dt.date(2025, 11, 20))
    assert provisional is False
    # The same instant given in UTC counts from the same local day.
    due_utc, _ = end_of_working_days(at(2025, 11, 14, 20, 30).astimezone(dt.UTC), 4)
    assert due_utc == due


@pytest.mark.django_db
def test_four_working_days_late_on_a_friday_in_utc_is_saturday_in_shanghai():
    # 16:30 UTC on Friday is 00:30 on Saturday in Shanghai: counting starts from Saturday, and
    # the result is the same Thursday, not Wednesday.
    received = dt.datetime(2025, 11, 14, 16, 30, tzinfo=dt.UTC)
    due, _ = end_of_working_days(received, 4)
    assert due == end_of(dt.date(2025, 11, 20))
    # 15:30 UTC on Thursday is 23:30 Thursday in Shanghai: Fri, Mon, Tue, Wed.
    due, _ = end_of_working_days(dt.datetime(2025, 11, 13, 15, 30, tzinfo=dt.UTC), 4)
    assert due == end_of(dt.date(2025, 11, 19))


@pytest.mark.django_db
def test_four_working_days_before_national_day():
    # Tuesday 30 September 2025: 1–8 October off, then 9, 10, Saturday 11 (调休), Monday 13.
    due, provisional = end_of_working_days(at(2025, 9, 30, 10, 0), 4)
    assert due == end_of(dt.date(2025, 10, 13))
    assert provisional is False


@pytest.mark.django_db
def test_four_working_days_before_spring_festival_2026():
    # Friday 13 February 2026: Saturday 14 (调休), 15–23 off, then 24, 25, 26.
    due, _ = end_of_working_days(at(2026, 2, 13, 17, 0), 4)
    assert due == end_of(dt.date(2026, 2, 26))


@pytest.mark.django_db
def test_late_december_2026_into_provisional_2027():
    # Monday 21 December: 22–25 December, all in official 2026.
    due, provisional = end_of_working_days(at(2026, 12, 21, 9, 0), 4)
    assert (due, provisional) == (end_of(dt.date(2026, 12, 25)), False)
    # Monday 28 December: 29, 30, 31, (1 January 2027 New Year, rule-based), Monday 4 January.
    due, provisional = end_of_working_days(at(2026, 12, 28, 9, 0), 4)
    assert due == end_of(dt.date(2027, 1, 4))
    assert provisional is True


# --- provisional years --------------------------------------------------------------------------


@pytest.mark.django_db
def test_2027_is_provisional_from_rules():
    with pytest.raises(NotImplementedError):  # the package really does not know 2027
        chinese_calendar.is_workday(dt.date(2027, 1, 4))
    cal_year = ensure_year(2027)
    assert cal_year.source == CalendarYear.Source.RULES
    assert cal_year.provisional is True
    assert 2027 in years_needing_confirmation().values_list("year", flat=True)
    assert 2026 not in years_needing_confirmation().values_list("year", flat=True)
    info = WorkCalendar().info(dt.date(2027, 10, 1))
    assert (info.is_working_day, info.reason, info.name, info.provisional) == (
        False,
        "holiday",
        "国庆节",
        True,
    )
    assert WorkCalendar().info(dt.date(2027, 2, 6)).name == "春节"


@pytest.mark.django_db
def test_admin_confirms_2027_on_the_calendar_page(client, staff, admin_user):
    ensure_year(2027)
    client.force_login(admin_user)
    page = client.get(reverse("calendar"), {"year": 2027}).content.decode()
    assert 'name="confirm"' in page  # the confirm button
    response = client.post(reverse("calendar"), {"year": "2027", "confirm": "1"})
    assert response.status_code == 302
    assert not years_needing_confirmation().filter(year=2027).exists()
    cal_year = CalendarYear.objects.get(year=2027)
    assert cal_year.confirmed_by == admin_user and cal_year.confirmed_at is not None
    # Deadlines over 2027 are no longer provisional.
    _, provisional = end_of_working_days(at(2026, 12, 28, 9, 0), 4)
    assert provisional is False
    # The managers' banner is gone.
    client.force_login(staff["project_manager"])
    assert 'class="banner warn"' not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_manager_sees_the_provisional_banner_but_cannot_confirm(client, staff):
    ensure_year(2027)
    client.force_login(staff["project_manager"])
    # Not on every page (a manager cannot act on it; issue 12): on the calendar page.
    home = client.get(reverse("home")).content.decode()
    assert 'class="banner warn"' not in home
    page = client.get(reverse("calendar"), {"year": 2027}).content.decode()
    assert 'class="banner warn"' in page
    assert 'name="confirm"' not in page  # no confirm button
    assert 'name="date"' not in page  # nor the form that changes a day
    client.post(reverse("calendar"), {"year": "2027", "confirm": "1"})
    assert years_needing_confirmation().filter(year=2027).exists()
    client.post(reverse("calendar"), {"year": "2027", "date": "2027-01-04", "kind": "holiday"})
    assert is_working_day(dt.date(2027, 1, 4))
    # Nor for the front desk.
    client.force_login(staff["frontdesk"])
    assert 'class="banner warn"' not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_confirming_twice_keeps_the_first_confirmation(admin_user, staff):
    first = calendar_confirm_year(year=2027, actor=admin_user)
    again = calendar_confirm_year(year=2027, actor=staff["gm"])
    assert again.confirmed_by == admin_user
    assert again.confirmed_at == first.confirmed_at


# --- editing days -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_changes_a_day_on_the_calendar_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("calendar"),
        {"year": "2026", "date": "2026-11-23", "kind": "holiday", "name": "台风停工"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2026")
    info = WorkCalendar().info(dt.date(2026, 11, 23))
    assert (info.is_working_day, info.reason, info.name) == (False, "holiday", "台风停工")
    page = client.get(reverse("calendar"), {"year": 2026}).content.decode()
    assert 'title="台风停工"' in page
    client.post(reverse("calendar"), {"year": "2026", "date": "2026-11-23", "kind": "normal"})
    assert is_working_day(dt.date(2026, 11, 23))


@pytest.mark.django_db
def test_bad_day_form_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    for data in (
        {"year": "2026", "date": "2026-02-30", "kind": "holiday"},
        {"year": "2026", "date": "2026-11-23", "kind": "party"},
        {"year": "2026", "date": "2301-01-01", "kind": "holiday"},
    ):
        response = client.post(reverse("calendar"), data)
        assert response.status_code == 400, data
        assert 'class="errorlist' in response.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 23)).exists()
    assert not CalendarYear.objects.filter(year=2301).exists()


@pytest.mark.django_db
def test_calendar_set_day_makes_a_holiday_and_the_api_shows_it(staff, admin_user):
    typhoon = dt.date(2026, 11, 23)  # a Monday
    assert is_working_day(typhoon)
    calendar_set_day(date=typhoon, kind=CalendarDay.Kind.HOLIDAY, name="台风停工", actor=admin_user)
    assert not is_working_day(typhoon)
    days = api_as(staff["frontdesk"]).get("/api/v1/calendar/?year=2026&month=11").json()
    day = next(d for d in days if d["date"] == "2026-11-23")
    assert day == {
        "date": "2026-11-23",
        "is_working_day": False,
        "reason": "holiday",
        "name": "台风停工",
        "provisional": False,
    }
    # Back to an ordinary Monday.
    calendar_set_day(date=typhoon, kind=None, name="", actor=admin_user)
    assert is_working_day(typhoon)
    assert WorkCalendar().info(typhoon).reason == "workday"


@pytest.mark.django_db
def test_calendar_set_day_rejects_an_unknown_kind(admin_user):
    with pytest.raises(ValueError):
        calendar_set_day(date=dt.date(2026, 11, 23), kind="party", name="", actor=admin_user)
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 23)).exists()


@pytest.mark.django_db
def test_editing_the_calendar_sends_the_recompute_hook_after_commit(
    admin_user, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, dates, **kwargs):
        received.append(dates)

    calendar_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            calendar_set_day(
                date=dt.date(2026, 11, 23), kind="holiday", name="停工", actor=admin_user
            )
            assert received == []  # not before the change is committed
        assert received == [[dt.date(2026, 11, 23)]]
        with django_capture_on_commit_callbacks(execute=True):
            calendar_confirm_year(year=2027, actor=admin_user)
        assert received[-1] == [dt.date(2027, 1, 1)]
    finally:
        calendar_changed.disconnect(receiver)


@pytest.mark.django_db
def test_never_crashes_on_any_date_from_1900_to_2200(client, admin_user):
    cal = WorkCalendar()
    day, count = dt.date(1900, 1, 1), 0
    while day <= dt.date(2200, 12, 31):
        info = cal.info(day)
        assert info.reason in {"workday", "weekend", "holiday", "adjusted_workday"}
        count += 1
        day += dt.timedelta(days=1)
    assert count == (dt.date(2201, 1, 1) - dt.date(1900, 1, 1)).days
    client.force_login(admin_user)
    for year in ("1900", "2200", "1899", "99999", "abc", "-1"):
        assert client.get(reverse("calendar"), {"year": year}).status_code == 200, year


# --- the calendar API ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_october_2026(api):
    response = api.get("/api/v1/calendar/", {"year": 2026, "month": 10})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()}
    assert len(days) == 31
    assert days["2026-10-01"]["reason"] == "holiday"
    assert days["2026-10-01"]["name"] == "国庆节"
    assert days["2026-10-01"]["is_working_day"] is False
    assert days["2026-10-10"] == {
        "date": "2026-10-10",
        "is_working_day": True,
        "reason": "adjusted_workday",
        "name": "国庆节",
        "provisional": False,
    }
    assert days["2026-10-17"]["reason"] == "weekend"
    assert days["2026-10-12"]["reason"] == "workday"
    assert all(d["provisional"] is False for d in days.values())


@pytest.mark.django_db
def test_api_whole_year_and_provisional_year(api):
    assert len(api.get("/api/v1/calendar/", {"year": 2028}).json()) == 366
    february = api.get("/api/v1/calendar/", {"year": 2027, "month": 2}).json()
    assert len(february) == 28
    assert all(d["provisional"] for d in february)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"year": 2026, "month": 13}, {"year": 1800}, {"year": 2026, "month": "x"}],
)
def test_api_bad_parameters_get_the_error_body(api, params):
    response = api.get("/api/v1/calendar/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    assert error["fields"] == {}


@pytest.mark.django_db
def test_api_non_admin_cannot_edit(staff):
    response = api_as(staff["gm"]).post(
        "/api/v1/calendar/", {"date": "2026-11-23", "kind": "holiday", "name": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 23)).exists()


@pytest.mark.django_db
def test_api_admin_edits_a_day(admin_user):
    client = api_as(admin_user)
    response = client.post(
        "/api/v1/calendar/",
        {"date": "2026-11-28", "kind": "workday", "name": "补班"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["reason"] == "adjusted_workday"
    assert is_working_day(dt.date(2026, 11, 28))  # a Saturday, now worked
    day = next(
        d
        for d in client.get("/api/v1/calendar/?year=2026&month=11").json()
        if d["date"] == "2026-11-28"
    )
    assert (day["is_working_day"], day["name"]) == (True, "补班")
    response = client.post(
        "/api/v1/calendar/", {"date": "2026-11-28", "kind": "normal"}, format="json"
    )
    assert response.json()["reason"] == "weekend"


@pytest.mark.django_db
def test_api_admin_bad_body(admin_user):
    response = api_as(admin_user).post(
        "/api/v1/calendar/", {"date": "2026-02-30", "kind": "party"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"date", "kind"}


@pytest.mark.django_db
def test_api_needs_login(client):
    response = client.get("/api/v1/calendar/?year=2026&month=10")
    assert response.status_code in (401, 403)
    assert "error" in response.json()
