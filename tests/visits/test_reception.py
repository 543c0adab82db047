"""The reception log: first-contact ownership, promised answers, conversions, transfers, the
project manager's praise list and the staff pages (docs/domain.md, Reception)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.errors import InvalidTransition
from propserv.models import Deadline, Notification
from tests.factories import UnitFactory, make_staff
from tests.visits.helpers import client_for, count_queries, log, log_call
from tickets.models import Complaint, Repair
from visits import rules, selectors
from visits.models import Visit
from visits.services import complaints as complaint_svc
from visits.services import defects as defect_svc
from visits.services import handover as handover_svc
from visits.services import notices as notice_svc
from visits.services import reception, registers, web_reports


def test_receiver_owns_the_entry_and_the_promise_has_a_clock(estate, staff, resident):
    now = timezone.now()
    promised = now + dt.timedelta(hours=2)
    visit = log_call(estate, staff, resident=resident, promised_answer_at=promised, now=now)
    assert visit.owner == staff["frontdesk"] == visit.received_by
    assert visit.unit == resident.unit and visit.caller_name == "王先生"
    deadline = Deadline.objects.for_subject(visit).get(kind=rules.ANSWER)
    assert deadline.due_at == promised

    # Not answered in time: the owner was warned first, then the supervisor hears of it.
    sweep(now=promised + dt.timedelta(seconds=1))
    deadline.refresh_from_db()
    assert deadline.breached_at is not None
    assert Notification.objects.filter(
        recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
    ).exists()

    reception.visit_resolve(visit_id=visit.pk, actor=staff["frontdesk"], resolution="已答复")
    deadline.refresh_from_db()
    assert deadline.met_at is not None
    visit.refresh_from_db()
    assert visit.status == Visit.Status.RESOLVED and visit.owner == staff["frontdesk"]
    reception.visit_record_callback(visit_id=visit.pk, actor=staff["frontdesk"], note="满意")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED
    assert [e.action for e in visit.events.all()] == ["received", "resolved", "called_back"]


def test_callback_before_resolution_is_refused(estate, staff):
    visit = log_call(estate, staff)
    with pytest.raises(InvalidTransition):
        reception.visit_record_callback(visit_id=visit.pk, actor=staff["frontdesk"])
    visit.refresh_from_db()
    assert visit.status == Visit.Status.OPEN


def test_resolved_on_the_spot_needs_how_and_closes(estate, staff):
    with pytest.raises(ValidationError):
        log_call(estate, staff, resolved_on_spot=True)
    visit = log_call(estate, staff, resolved_on_spot=True, handling="当场告知停水时间")
    assert visit.status == Visit.Status.CLOSED and visit.called_back_at is not None


def test_backdating_more_than_a_day_and_past_promises_are_refused(estate, staff):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        log_call(estate, staff, received_at=now - dt.timedelta(hours=25), now=now)
    assert "received_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        log_call(estate, staff, promised_answer_at=now - dt.timedelta(minutes=5), now=now)
    assert "promised_answer_at" in exc.value.message_dict
    assert not Visit.objects.exists()


def test_other_estates_unit_is_refused(estate, staff, other_unit):
    with pytest.raises(ValidationError):
        log_call(estate, staff, unit=other_unit)


def test_convert_to_repair_is_one_step_prefilled_and_linked_both_ways(
    estate, staff, resident, categories
):
    visit = log_call(estate, staff, resident=resident, category="repair", summary="卫生间漏水")
    repair = reception.visit_convert_to_repair(
        visit_id=visit.pk,
        actor=staff["frontdesk"],
        category=categories["water"],
        description=visit.summary,
    )
    assert repair.unit == resident.unit and repair.reporter == resident
    assert repair.reporter_phone == resident.phone and repair.channel == "phone"
    assert repair.received_at == visit.received_at and repair.urgent
    assert list(repair.reception_entries.all()) == [visit]
    visit.refresh_from_db()
    assert visit.repair == repair and visit.owner == staff["frontdesk"]
    # A second click does not make a second repair.
    again = reception.visit_convert_to_repair(
        visit_id=visit.pk, actor=staff["frontdesk"], category=categories["water"], description="x"
    )
    assert again == repair and Repair.objects.count() == 1


def test_convert_to_complaint_keeps_the_entry_owner(estate, staff, resident):
    visit = log_call(estate, staff, resident=resident, category="complaint", summary="保安态度差")
    complaint = complaint_svc.visit_convert_to_complaint(
        visit_id=visit.pk, actor=staff["supervisor"], description=visit.summary, demand="道歉"
    )
    assert complaint.owner == staff["frontdesk"]  # the first contact stays the owner
    assert complaint.unit == resident.unit and complaint.request == "道歉"
    assert list(complaint.reception_entries.all()) == [visit]
    assert Complaint.objects.count() == 1
    again = complaint_svc.visit_convert_to_complaint(
        visit_id=visit.pk, actor=staff["frontdesk"], description="x"
    )
    assert again == complaint and Complaint.objects.count() == 1


def test_web_entry_without_javascript_finds_the_resident_by_unit_and_phone(estate, staff, resident):
    client = client_for(staff["frontdesk"])
    response = client.post(
        "/visits/",
        {
            "estate": estate.code,
            "channel": "walk_in",
            "unit_code": "3-2-1502",
            "caller_phone": resident.phone,
            "category": "service",
            "summary": "预约家政保洁",
            "promised_answer_at": (timezone.localtime() + dt.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert visit.resident == resident and visit.owner == staff["frontdesk"]
    page = client.get(visit.get_absolute_url()).content.decode()
    assert visit.number in page and "frontdesk" in page


def test_web_entry_refuses_an_unknown_unit_and_saves_nothing(estate, staff, other_unit):
    client = client_for(staff["frontdesk"])
    response = client.post(
        "/visits/",
        {
            "estate": estate.code,
            "channel": "phone",
            "unit_code": "9-9-999",
            "category": "other",
            "summary": "x",
        },
    )
    assert response.status_code == 400
    assert "9-9-999" in response.content.decode()
    assert not Visit.objects.exists()


def test_entry_converts_to_repair_from_the_web_and_shows_on_the_board(
    estate, staff, resident, categories
):
    client = client_for(staff["frontdesk"])
    visit = log_call(estate, staff, resident=resident, category="repair", summary="客厅灯不亮")
    response = client.post(
        f"/visits/{visit.pk}/to-repair/",
        {"repair-category": categories["lighting"].pk, "repair-description": "客厅灯不亮"},
    )
    repair = Repair.objects.get()
    assert response.status_code == 302 and response["Location"] == repair.get_absolute_url()
    board = client.get("/tickets/board/").content.decode()
    assert repair.number in board
    detail = client.get(visit.get_absolute_url()).content.decode()
    assert repair.number in detail


def test_praise_reaches_the_project_manager_who_marks_it_read(estate, staff):
    visit = log_call(estate, staff, category="praise", summary="表扬保洁阿姨")
    note = Notification.objects.get(recipient=staff["project_manager"])
    assert "表扬" in note.title or "Praise" in note.title
    page = client_for(staff["project_manager"]).get("/visits/praise/").content.decode()
    assert "表扬保洁阿姨" in page
    with pytest.raises(PermissionDenied):
        reception.visit_pm_note(visit_id=visit.pk, actor=staff["frontdesk"])
    reception.visit_pm_note(visit_id=visit.pk, actor=staff["project_manager"])
    page = client_for(staff["project_manager"]).get("/visits/praise/").content.decode()
    assert "表扬保洁阿姨" not in page  # read items leave the unread list


def test_transfer_goes_only_to_a_colleague_of_the_estate(estate, other_estate, staff):
    visit = log_call(estate, staff)
    outsider = make_staff("outsider", "frontdesk", estates=[other_estate])
    with pytest.raises(ValidationError):
        reception.visit_transfer(
            visit_id=visit.pk, to_user=outsider, actor=staff["supervisor"], reason="调班"
        )
    reception.visit_transfer(
        visit_id=visit.pk, to_user=staff["area_admin"], actor=staff["supervisor"], reason="调班"
    )
    visit.refresh_from_db()
    assert visit.owner == staff["area_admin"]
    assert visit.events.get(action="owner_changed").data == {
        "from": "frontdesk",
        "to": "area_admin",
    }


def test_entry_pages_of_another_estate_are_404(estate, other_estate, staff):
    visit = log_call(estate, staff)
    outsider = make_staff("outsider", "frontdesk", estates=[other_estate])
    UnitFactory(building__estate=other_estate)
    client = client_for(outsider)
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert client.post(f"/visits/{visit.pk}/resolve/", {"resolution": "x"}).status_code == 404


def test_origin_panel_shows_the_entry_owner_on_the_repair(estate, staff, resident, categories):
    from django.template import Context, Template
    from django.test import RequestFactory

    visit = log_call(estate, staff, resident=resident, category="repair", summary="灯不亮")
    repair = reception.visit_convert_to_repair(
        visit_id=visit.pk,
        actor=staff["supervisor"],
        category=categories["lighting"],
        description="灯不亮",
    )
    request = RequestFactory().get("/")
    request.user = staff["technician"]
    html = Template('{% load registry %}{% panels "repair" repair %}').render(
        Context({"repair": repair, "request": request})
    )
    assert visit.number in html and "frontdesk" in html


def test_demo_seed_is_idempotent(estate, staff, resident):
    from visits import demo

    demo.seed(estate)
    counts = (Visit.objects.count(), estate.lost_items.count(), estate.notices.count())
    assert counts[0] == 6 and counts[1] == 1 and counts[2] == 1
    demo.seed(estate)
    assert (Visit.objects.count(), estate.lost_items.count(), estate.notices.count()) == counts


def test_printable_qr_sheet_per_building(estate, staff, unit, other_estate):
    client = client_for(staff["frontdesk"])
    building = unit.building
    assert f"/visits/qr/{building.pk}/" in client.get("/visits/qr/").content.decode()
    page = client.get(f"/visits/qr/{building.pk}/").content.decode()
    assert "<svg" in page and "<path" in page
    assert f"http://testserver/report/{estate.code}/?b=3" in page
    assert estate.emergency_phone in page
    stranger = make_staff("outsider", "frontdesk", estates=[other_estate])
    assert client_for(stranger).get(f"/visits/qr/{building.pk}/").status_code == 404


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_staff_page_renders_in_both_languages(estate, staff, unit, resident, lang):
    visit = log_call(estate, staff, resident=resident, category="praise", summary="表扬")
    defect = defect_svc.defect_create(
        estate=estate, actor=staff["frontdesk"], unit=unit, description="墙面开裂"
    )
    notice = notice_svc.notice_create(
        estate=estate, actor=staff["frontdesk"], kind="phone", title="停水", body="明日停水"
    )
    incident = registers.incident_record(
        estate=estate, actor=staff["frontdesk"], kind="fire", location="车库", description="冒烟"
    )
    handover = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"])
    client = client_for(staff["project_manager"], lang)
    expected = {"zh-hans": "接待登记", "en": "Reception log"}[lang]
    for url in (
        "/visits/",
        "/visits/open/",
        visit.get_absolute_url(),
        "/visits/lookup/",
        "/visits/lookup/?q=3-2",
        "/visits/praise/",
        "/visits/handovers/",
        handover.get_absolute_url(),
        "/visits/defects/",
        defect.get_absolute_url(),
        f"/visits/defects/{defect.pk}/print/",
        "/visits/lost-found/",
        "/visits/incidents/",
        incident.get_absolute_url(),
        "/visits/notices/",
        notice.get_absolute_url(),
        "/visits/qr/",
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, url
        if "print" not in url:
            assert expected in response.content.decode(), url


def test_staff_can_open_a_web_reported_repair(estate, unit, categories, staff):
    repair = web_reports.web_report_submit(
        estate=estate,
        unit=unit,
        category=categories["drainage"],
        name="王先生",
        phone="13800001502",
        description="下水道堵塞",
    )
    client = client_for(staff["frontdesk"])
    assert client.get(repair.get_absolute_url()).status_code == 200


def test_transfer_needs_a_supervisor_the_project_manager_or_the_owner(estate, staff):
    visit = log(estate, staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        reception.visit_transfer(
            visit_id=visit.pk, to_user=staff["area_admin"], actor=staff["area_admin"], reason="抢"
        )
    visit.refresh_from_db()
    assert visit.owner == staff["frontdesk"] and not visit.events.filter(action="owner_changed")
    # The owner hands their own entry off; the project manager moves any entry.
    reception.visit_transfer(
        visit_id=visit.pk, to_user=staff["area_admin"], actor=staff["frontdesk"], reason="下班"
    )
    reception.visit_transfer(
        visit_id=visit.pk,
        to_user=staff["supervisor"],
        actor=staff["project_manager"],
        reason="升级",
    )
    visit.refresh_from_db()
    assert visit.owner == staff["supervisor"]


def test_transfer_on_the_web_is_refused_and_the_form_is_hidden(estate, staff):
    visit = log(estate, staff["frontdesk"])
    stranger = client_for(staff["area_admin"])
    assert 'data-testid="transfer"' not in stranger.get(visit.get_absolute_url()).content.decode()
    response = stranger.post(
        f"/visits/{visit.pk}/transfer/", {"to_user": staff["area_admin"].pk, "reason": "抢"}
    )
    # Refused on the same page, with the reason, in the user's language.
    assert response.status_code == 400
    assert "只有" in response.content.decode()
    visit.refresh_from_db()
    assert visit.owner == staff["frontdesk"]
    page = client_for(staff["supervisor"]).get(visit.get_absolute_url()).content.decode()
    assert 'data-testid="transfer"' in page


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


def test_my_open_entries_take_a_fixed_number_of_queries(estate, staff, unit):
    user = staff["frontdesk"]

    def render_rows():
        return [(v.owner.username, v.who, v.unit) for v in selectors.my_open_visits(user)]

    log(estate, user, unit=unit)
    one = count_queries(render_rows)
    for _i in range(3):
        log(estate, user, unit=UnitFactory(building=unit.building))
    assert count_queries(render_rows) == one


def test_a_refused_entry_comes_back_with_what_was_typed(estate, staff):
    """The web pages call services through propserv.web.attempt: a refusal re-renders the same
    page with the input kept and the reason, in the user's language."""
    response = client_for(staff["technician"], "en").post(
        "/visits/",
        {
            "estate": estate.code,
            "channel": "phone",
            "category": "other",
            "summary": "楼道灯坏了好几天",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "楼道灯坏了好几天" in page and "Your role may not do this." in page
    assert not Visit.objects.exists()


def test_transfer_goes_only_to_someone_at_the_desk(estate, staff):
    """A technician could neither resolve nor call back an entry: they cannot own one."""
    visit = log_call(estate, staff)
    with pytest.raises(ValidationError):
        reception.visit_transfer(
            visit_id=visit.pk, to_user=staff["technician"], actor=staff["supervisor"], reason="x"
        )
    visit.refresh_from_db()
    assert visit.owner == staff["frontdesk"]
    page = client_for(staff["supervisor"]).get(visit.get_absolute_url()).content.decode()
    assert f'<option value="{staff["area_admin"].pk}">area_admin</option>' in page
    assert f'<option value="{staff["technician"].pk}">technician</option>' not in page
