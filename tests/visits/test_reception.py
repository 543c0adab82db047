"""The reception log: first-contact ownership, promised answers, conversions, lookup."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.models import Deadline, Notification
from tests.conftest import PASSWORD
from tests.factories import ResidentFactory, UnitFactory, make_staff
from tickets.models import Complaint, Repair
from visits import complaints_bridge, rules, services
from visits.models import Visit


def log_call(estate, staff, **kwargs):
    data = {
        "estate": estate,
        "actor": staff["frontdesk"],
        "channel": "phone",
        "category": "other",
        "summary": "问小区停水时间",
    }
    data.update(kwargs)
    return services.visit_create(**data)


def client_for(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


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

    services.visit_resolve(visit_id=visit.pk, actor=staff["frontdesk"], resolution="已答复")
    deadline.refresh_from_db()
    assert deadline.met_at is not None
    visit.refresh_from_db()
    assert visit.status == Visit.Status.RESOLVED and visit.owner == staff["frontdesk"]
    services.visit_record_callback(visit_id=visit.pk, actor=staff["frontdesk"], note="满意")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED
    assert [e.action for e in visit.events.all()] == ["received", "resolved", "called_back"]


def test_callback_before_resolution_is_refused(estate, staff):
    visit = log_call(estate, staff)
    with pytest.raises(services.StateError):
        services.visit_record_callback(visit_id=visit.pk, actor=staff["frontdesk"])
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
    repair = services.visit_convert_to_repair(
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
    again = services.visit_convert_to_repair(
        visit_id=visit.pk, actor=staff["frontdesk"], category=categories["water"], description="x"
    )
    assert again == repair and Repair.objects.count() == 1


def test_convert_to_complaint_keeps_the_entry_owner(estate, staff, resident):
    visit = log_call(estate, staff, resident=resident, category="complaint", summary="保安态度差")
    complaint = complaints_bridge.visit_convert_to_complaint(
        visit_id=visit.pk, actor=staff["supervisor"], description=visit.summary, demand="道歉"
    )
    assert complaint.owner == staff["frontdesk"]  # the first contact stays the owner
    assert complaint.unit == resident.unit and complaint.request == "道歉"
    assert list(complaint.reception_entries.all()) == [visit]
    assert Complaint.objects.count() == 1
    again = complaints_bridge.visit_convert_to_complaint(
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


def test_lookup_json_matches_unit_name_and_phone_scoped_and_masked(
    estate, other_estate, staff, resident, other_unit
):
    ResidentFactory(unit=other_unit, name="王五", phone="13800001502")
    frontdesk = client_for(staff["frontdesk"])
    by_unit = frontdesk.get("/visits/lookup.json", {"q": "3-2-15"}).json()["results"]
    assert [r["name"] for r in by_unit] == ["王先生"]  # not the other estate's 3-2-1502
    assert by_unit[0]["phone"] == "13800001502"
    by_name = frontdesk.get("/visits/lookup.json", {"q": "王"}).json()["results"]
    assert [r["name"] for r in by_name] == ["王先生"]
    by_tail = frontdesk.get("/visits/lookup.json", {"q": "1502"}).json()["results"]
    assert [r["id"] for r in by_tail] == [resident.pk]
    by_prefix = frontdesk.get("/visits/lookup.json", {"q": "1380000"}).json()["results"]
    assert [r["id"] for r in by_prefix] == [resident.pk]
    # A technician may look people up but sees masked numbers.
    tech = client_for(staff["technician"]).get("/visits/lookup.json", {"q": "王"}).json()
    assert tech["results"][0]["phone"] == "138****1502"


def test_lookup_page_by_repair_number_and_tracking_code(estate, staff, resident, categories):
    from tickets.services.repairs import repair_create

    repair = repair_create(
        estate=estate,
        category=categories["drainage"],
        unit=resident.unit,
        description="下水道堵塞",
        reporter=resident,
        actor=staff["frontdesk"],
    )
    visit = log_call(estate, staff, resident=resident)
    client = client_for(staff["frontdesk"])
    letters_only = repair_create(
        estate=estate,
        category=categories["drainage"],
        unit=resident.unit,
        description="又堵了",
        reporter=resident,
        actor=staff["frontdesk"],
    )
    Repair.objects.filter(pk=letters_only.pk).update(tracking_code="ZZEMBQVD")  # reads like a name
    for q in (
        repair.number,
        repair.tracking_code,
        repair.tracking_code.lower(),
        "3-2-1502",
        "zzembqvd",
    ):
        page = client.get("/visits/lookup/", {"q": q}).content.decode()
        assert 'data-testid="unit-3-2-1502"' in page, q
        assert repair.number in page and visit.number in page and "王先生" in page
    technician = client_for(staff["technician"]).get("/visits/lookup/", {"q": "3-2-1502"})
    assert "138****1502" in technician.content.decode()
    assert "13800001502" not in technician.content.decode()


def test_lookup_never_shows_another_estates_records(estate, other_estate, staff, other_unit):
    stranger_resident = ResidentFactory(unit=other_unit, name="外人", phone="13900009999")
    client = client_for(staff["frontdesk"])
    for q in ("外人", "3-2-1502", "13900009999"):
        page = client.get("/visits/lookup/", {"q": q}).content.decode()
        # After the search box, which repeats the query.
        results = page.split('class="searchbar"')[1].split("</form>", 1)[1]
        assert 'data-testid="unit-' not in results, q
        assert stranger_resident.phone not in results and "外人" not in results, q
    assert client.get("/visits/lookup.json", {"q": "外人"}).json() == {"results": []}


def test_praise_reaches_the_project_manager_who_marks_it_read(estate, staff):
    visit = log_call(estate, staff, category="praise", summary="表扬保洁阿姨")
    note = Notification.objects.get(recipient=staff["project_manager"])
    assert "表扬" in note.title or "Praise" in note.title
    page = client_for(staff["project_manager"]).get("/visits/praise/").content.decode()
    assert "表扬保洁阿姨" in page
    with pytest.raises(PermissionDenied):
        services.visit_pm_note(visit_id=visit.pk, actor=staff["frontdesk"])
    services.visit_pm_note(visit_id=visit.pk, actor=staff["project_manager"])
    page = client_for(staff["project_manager"]).get("/visits/praise/").content.decode()
    assert "表扬保洁阿姨" not in page  # read items leave the unread list


def test_transfer_goes_only_to_a_colleague_of_the_estate(estate, other_estate, staff):
    visit = log_call(estate, staff)
    outsider = make_staff("outsider", "frontdesk", estates=[other_estate])
    with pytest.raises(ValidationError):
        services.visit_transfer(
            visit_id=visit.pk, to_user=outsider, actor=staff["supervisor"], reason="调班"
        )
    services.visit_transfer(
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


def test_origin_tag_shows_the_entry_owner_on_the_repair(estate, staff, resident, categories):
    from django.template import Context, Template

    visit = log_call(estate, staff, resident=resident, category="repair", summary="灯不亮")
    repair = services.visit_convert_to_repair(
        visit_id=visit.pk,
        actor=staff["supervisor"],
        category=categories["lighting"],
        description="灯不亮",
    )
    html = Template("{% load visits_tags %}{% reception_origin repair %}").render(
        Context({"repair": repair})
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
    defect = services.defect_create(
        estate=estate, actor=staff["frontdesk"], unit=unit, description="墙面开裂"
    )
    notice = services.notice_create(
        estate=estate, actor=staff["frontdesk"], kind="phone", title="停水", body="明日停水"
    )
    incident = services.incident_record(
        estate=estate, actor=staff["frontdesk"], kind="fire", location="车库", description="冒烟"
    )
    handover = services.handover_create(estate=estate, actor=staff["frontdesk"])
    client = client_for(staff["project_manager"])
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
    repair = services.web_report_submit(
        estate=estate,
        unit=unit,
        category=categories["drainage"],
        name="王先生",
        phone="13800001502",
        description="下水道堵塞",
    )
    client = client_for(staff["frontdesk"])
    assert client.get(repair.get_absolute_url()).status_code == 200
