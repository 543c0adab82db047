"""Fixes from the code review: who may do what, phone search, redirects, query counts,
translated timelines, bad input and double submits."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import PASSWORD, api_as
from tests.factories import ResidentFactory, UnitFactory
from visits import selectors, services
from visits.models import Defect, Handover, Incident, Notice, Visit


def client_for(user, lang: str = "zh-hans") -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = lang
    return client


def log(estate, actor, summary="问停水时间", **kwargs):
    return services.visit_create(
        estate=estate, actor=actor, channel="phone", category="other", summary=summary, **kwargs
    )


def phone_notice(estate, actor, title="停水通知"):
    return services.notice_create(
        estate=estate, actor=actor, kind="phone", title=title, body="3栋明日停水"
    )


# --- 1. transfer -----------------------------------------------------------------------------


def test_transfer_needs_a_supervisor_the_project_manager_or_the_owner(estate, staff):
    visit = log(estate, staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        services.visit_transfer(
            visit_id=visit.pk, to_user=staff["area_admin"], actor=staff["area_admin"], reason="抢"
        )
    visit.refresh_from_db()
    assert visit.owner == staff["frontdesk"] and not visit.events.filter(action="owner_changed")
    # The owner hands their own entry off; the project manager moves any entry.
    services.visit_transfer(
        visit_id=visit.pk, to_user=staff["area_admin"], actor=staff["frontdesk"], reason="下班"
    )
    services.visit_transfer(
        visit_id=visit.pk,
        to_user=staff["supervisor"],
        actor=staff["project_manager"],
        reason="升级",
    )
    visit.refresh_from_db()
    assert visit.owner == staff["supervisor"]


def test_transfer_on_the_web_is_403_and_the_form_is_hidden(estate, staff):
    visit = log(estate, staff["frontdesk"])
    stranger = client_for(staff["area_admin"])
    assert 'data-testid="transfer"' not in stranger.get(visit.get_absolute_url()).content.decode()
    response = stranger.post(
        f"/visits/{visit.pk}/transfer/", {"to_user": staff["area_admin"].pk, "reason": "抢"}
    )
    assert response.status_code == 403
    assert "只有" in response.content.decode()
    visit.refresh_from_db()
    assert visit.owner == staff["frontdesk"]
    page = client_for(staff["supervisor"]).get(visit.get_absolute_url()).content.decode()
    assert 'data-testid="transfer"' in page


# --- 2. notices ------------------------------------------------------------------------------


def test_notice_publish_needs_a_desk_role_and_withdraw_a_manager(estate, staff):
    notice = phone_notice(estate, staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        services.notice_publish(notice_id=notice.pk, actor=staff["technician"])
    with pytest.raises(PermissionDenied):
        services.notice_withdraw(notice_id=notice.pk, actor=staff["frontdesk"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    services.notice_publish(notice_id=notice.pk, actor=staff["area_admin"])
    services.notice_withdraw(notice_id=notice.pk, actor=staff["supervisor"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN


def test_notice_withdraw_refused_on_the_web_and_the_api(estate, staff):
    notice = phone_notice(estate, staff["frontdesk"])
    page = client_for(staff["frontdesk"]).get(notice.get_absolute_url()).content.decode()
    assert 'value="withdraw"' not in page and 'value="publish"' in page
    response = client_for(staff["frontdesk"]).post(notice.get_absolute_url(), {"step": "withdraw"})
    assert response.status_code == 403
    api = api_as(staff["frontdesk"])
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    refused = api.post(f"/api/v1/notices/{notice.pk}/withdraw/")
    assert refused.status_code == 403
    assert "supervisor or the project manager" in refused.json()["error"]["message"]
    assert api_as(staff["technician"]).post(
        f"/api/v1/notices/{notice.pk}/publish/"
    ).status_code == (403)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


# --- 3. incidents ----------------------------------------------------------------------------


def test_only_a_manager_closes_an_incident(estate, staff):
    incident = services.incident_record(
        estate=estate,
        actor=staff["frontdesk"],
        kind="lift_trapped",
        location="5栋2号电梯",
        description="两人被困",
    )
    with pytest.raises(PermissionDenied):
        services.incident_close(incident_id=incident.pk, actor=staff["frontdesk"], outcome="已解困")
    desk = client_for(staff["frontdesk"])
    assert "Close the incident" not in desk.get(incident.get_absolute_url()).content.decode()
    assert desk.post(incident.get_absolute_url(), {"outcome": "已解困"}).status_code == 403
    incident.refresh_from_db()
    assert incident.closed_at is None
    services.incident_close(incident_id=incident.pk, actor=staff["quality"], outcome="已解困")
    assert Incident.objects.get(pk=incident.pk).closed_by == staff["quality"]


# --- 4. phone search -------------------------------------------------------------------------


def test_roles_without_phones_cannot_search_by_part_of_a_number(estate, staff, unit):
    resident = ResidentFactory(unit=unit, name="王先生", phone="13812345678")
    tech = staff["technician"]
    for partial in ("138123", "12345678", "345678"):
        assert selectors.find_residents(tech, partial) == []
        assert client_for(tech).get("/visits/lookup.json", {"q": partial}).json()["results"] == []
    assert selectors.find_residents(tech, "13812345678") == [resident]
    # The desk, who sees numbers anyway, keeps the prefix and last-digits search.
    assert selectors.find_residents(staff["frontdesk"], "138123") == [resident]
    assert selectors.find_residents(staff["frontdesk"], "345678") == [resident]


# --- 5. open redirect ------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/\\evil.example/", "https://evil.example/", "//evil.example"])
def test_mark_read_does_not_redirect_off_site(estate, staff, target):
    visit = log(estate, staff["frontdesk"])
    response = client_for(staff["project_manager"]).post(
        f"/visits/{visit.pk}/pm-noted/", {"next": target}
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_mark_read_returns_to_a_page_of_the_site(estate, staff):
    visit = log(estate, staff["frontdesk"])
    response = client_for(staff["project_manager"]).post(
        f"/visits/{visit.pk}/pm-noted/", {"next": "/visits/praise/?all=1"}
    )
    assert response["Location"] == "/visits/praise/?all=1"


# --- 6. handover acknowledgement -------------------------------------------------------------


def test_only_desk_staff_acknowledge_a_handover(estate, staff):
    visit = log(estate, staff["frontdesk"])
    handover = services.handover_create(estate=estate, actor=staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        services.handover_acknowledge(handover_id=handover.pk, actor=staff["technician"])
    tech = client_for(staff["technician"])
    assert 'data-testid="acknowledge"' not in tech.get(handover.get_absolute_url()).content.decode()
    assert tech.post(handover.get_absolute_url()).status_code == 403
    api = api_as(staff["technician"]).post(f"/api/v1/handovers/{handover.pk}/acknowledge/")
    assert api.status_code == 403
    handover.refresh_from_db()
    visit.refresh_from_db()
    assert handover.acknowledged_at is None and visit.owner == staff["frontdesk"]
    services.handover_acknowledge(handover_id=handover.pk, actor=staff["area_admin"])
    visit.refresh_from_db()
    assert visit.owner == staff["area_admin"]


# --- 7. query counts -------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_my_open_entries_take_a_fixed_number_of_queries(estate, staff, unit):
    user = staff["frontdesk"]

    def render_rows():
        return [(v.owner.username, v.who, v.unit) for v in selectors.my_open_visits(user)]

    log(estate, user, unit=unit)
    one = _queries(render_rows)
    for _i in range(3):
        log(estate, user, unit=UnitFactory(building=unit.building))
    assert _queries(render_rows) == one


def test_handover_and_notice_lists_take_a_fixed_number_of_queries(estate, staff, unit):
    ResidentFactory(unit=unit)
    api = api_as(staff["frontdesk"])
    log(estate, staff["frontdesk"])
    services.handover_create(estate=estate, actor=staff["frontdesk"])
    phone_notice(estate, staff["frontdesk"])
    api.get("/api/v1/handovers/")  # warm up (the session, caches)
    handovers_one = _queries(lambda: api.get("/api/v1/handovers/"))
    notices_one = _queries(lambda: api.get("/api/v1/notices/"))
    for user in (staff["area_admin"], staff["supervisor"]):
        log(estate, user)
        log(estate, user)
        services.handover_create(estate=estate, actor=user)
        phone_notice(estate, user, title=f"通知 {user.username}")
    response = api.get("/api/v1/handovers/")
    assert len(response.json()["results"]) == 3
    assert _queries(lambda: api.get("/api/v1/handovers/")) == handovers_one
    assert _queries(lambda: api.get("/api/v1/notices/")) == notices_one
    completions = [n["completion"] for n in api.get("/api/v1/notices/").json()["results"]]
    assert completions == [{"households": 1, "reached": 0, "rate_percent": "0.0"}] * 3


# --- 8. translations -------------------------------------------------------------------------


def test_timelines_show_translated_actions(estate, staff, unit):
    visit = log(estate, staff["frontdesk"], unit=unit)
    defect = services.defect_create(
        estate=estate, actor=staff["frontdesk"], unit=unit, description="墙面开裂", visit=visit
    )
    services.defect_send(defect_id=defect.pk, actor=staff["frontdesk"])
    zh = client_for(staff["frontdesk"])
    page = zh.get(visit.get_absolute_url()).content.decode()
    assert "已受理" in page and "转为返修联系单" in page
    assert "to_defect" not in page
    page = zh.get(defect.get_absolute_url()).content.decode()
    assert "已送地产售后" in page
    en = client_for(staff["frontdesk"], "en")
    assert "sent to the developer" in en.get(defect.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("lang", "text"), [("zh-hans", "通知已发布。"), ("en", "Notice published.")]
)
def test_notice_step_message_in_the_users_language(estate, staff, lang, text):
    notice = phone_notice(estate, staff["frontdesk"])
    client = client_for(staff["frontdesk"], lang)
    response = client.post(notice.get_absolute_url(), {"step": "publish"}, follow=True)
    assert text in response.content.decode()


# --- 9. bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["abc", "1.5", "²"])
def test_a_call_that_is_not_a_number_is_404(estate, staff, unit, call):
    ResidentFactory(unit=unit)
    notice = phone_notice(estate, staff["frontdesk"])
    response = client_for(staff["frontdesk"]).post(
        notice.get_absolute_url(), {"step": "call", "call": call, "outcome": "reached"}
    )
    assert response.status_code == 404
    assert not notice.calls.exclude(outcome="pending").exists()


def test_bad_content_length_on_the_public_form_is_400(estate, unit):
    client = Client(REMOTE_ADDR="10.250.0.1")
    response = client.post(f"/report/{estate.code}/", {"name": "x"}, CONTENT_LENGTH="lots")
    assert response.status_code == 400


def test_api_refuses_a_resident_who_moved_out(api, estate, unit):
    gone = ResidentFactory(unit=unit, moved_out_on=timezone.localdate() - dt.timedelta(days=1))
    response = api.post(
        "/api/v1/visits/",
        {
            "estate": estate.code,
            "channel": "phone",
            "category": "other",
            "summary": "问停水",
            "resident": gone.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "resident" in response.json()["error"]["fields"]
    assert not Visit.objects.exists()


# --- 10. double submits ----------------------------------------------------------------------


def test_handover_double_submit_returns_the_first_handover(estate, staff):
    log(estate, staff["frontdesk"])
    first = services.handover_create(estate=estate, actor=staff["frontdesk"], note="交班")
    again = services.handover_create(estate=estate, actor=staff["frontdesk"], note="交班")
    assert again == first
    assert Handover.objects.count() == 1
    # Someone else with nothing to hand over still logs their own (empty) handover.
    services.handover_create(estate=estate, actor=staff["area_admin"])
    assert Handover.objects.count() == 2


def test_inspection_pass_sent_twice_changes_nothing(estate, staff, unit):
    fd = staff["frontdesk"]
    defect = services.defect_create(estate=estate, actor=fd, unit=unit, description="墙面开裂")
    services.defect_send(defect_id=defect.pk, actor=fd)
    services.defect_report_fixed(defect_id=defect.pk, actor=fd)
    services.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    events = defect.events.count()
    services.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    defect.refresh_from_db()
    assert defect.status == Defect.Status.AWAITING_OWNER and defect.events.count() == events
    with pytest.raises(services.StateError):
        services.defect_inspect(defect_id=defect.pk, actor=fd, passed=False, note="仍有裂缝")
