"""First contact to the end (issue 12, item 9): an entry closes when the repair or complaint it
became is done and called back; every web report is an entry of the duty log, owned by nobody
until someone at the desk takes it."""

import pytest
from django.core.exceptions import PermissionDenied

from propserv.errors import InvalidTransition
from propserv.registry import registry
from tests.conftest import api_as
from tests.visits.conftest import public_client
from tests.visits.helpers import client_for, log
from tests.visits.test_public import finish, form_data, submit
from tickets.models import Channel, Complaint, Repair
from tickets.services import repairs as repair_services
from visits.models import Visit, VisitEvent
from visits.services import complaints as complaint_services
from visits.services import first_contact, reception


def _repair_entry(estate, staff, categories, resident):
    visit = log(estate, staff["frontdesk"], "厨房漏水", resident=resident)
    repair = reception.visit_convert_to_repair(
        visit_id=visit.pk,
        actor=staff["frontdesk"],
        category=categories["drainage"],
        description="厨房漏水",
    )
    return visit, repair


def test_the_hooks_are_registered():
    assert first_contact.on_repair_called_back in registry.hooks_for("repair.called_back")
    assert first_contact.on_complaint_called_back in registry.hooks_for("complaint.called_back")


def test_handler_closes_the_entry_with_coded_rows_once(estate, staff, categories, resident):
    visit, repair = _repair_entry(estate, staff, categories, resident)
    first_contact.on_repair_called_back(repair=repair, actor=staff["area_admin"])
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED
    assert visit.resolved_at and visit.called_back_at
    rows = list(visit.events.filter(action__in=["resolved", "called_back"]).order_by("pk"))
    assert [r.action for r in rows] == ["resolved", "called_back"]
    assert all(r.data == {"ticket_done": repair.number} and r.note == "" for r in rows)
    assert rows[1].to_status == "closed" and rows[1].actor == staff["area_admin"]
    assert repair.number in rows[1].detail
    # Idempotent: a second call writes nothing.
    first_contact.on_repair_called_back(repair=repair, actor=staff["area_admin"])
    assert visit.events.count() == 2 + len(rows)  # received, to_repair, resolved, called back


def test_an_entry_resolved_by_hand_is_only_called_back(estate, staff, categories, resident):
    visit, repair = _repair_entry(estate, staff, categories, resident)
    reception.visit_resolve(visit_id=visit.pk, actor=staff["frontdesk"], resolution="已派工")
    first_contact.on_repair_called_back(repair=repair, actor=None)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED
    assert visit.events.filter(action="resolved").count() == 1
    assert visit.resolution == "已派工"


def test_an_entry_with_a_complaint_still_open_stays_open(estate, staff, categories, resident):
    visit, repair = _repair_entry(estate, staff, categories, resident)
    complaint = complaint_services.visit_convert_to_complaint(
        visit_id=visit.pk, actor=staff["frontdesk"], description="维修太慢"
    )
    first_contact.on_repair_called_back(repair=repair, actor=None)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.OPEN
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.CLOSED)
    complaint.refresh_from_db()
    Repair.objects.filter(pk=repair.pk).update(status=Repair.Status.CLOSED)
    first_contact.on_complaint_called_back(complaint=complaint, actor=None)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED


def test_the_whole_loop_closes_the_entry(estate, staff, categories, resident):
    """Desk logs a call → repair → done → satisfied callback: the entry is closed (tickets calls
    the hook inside its callback's transaction)."""
    visit, repair = _repair_entry(estate, staff, categories, resident)
    finish(repair, staff)
    repair_services.repair_record_callback(
        repair_id=repair.pk, satisfaction=5, actor=staff["area_admin"]
    )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED
    page = client_for(staff["frontdesk"]).get(visit.get_absolute_url()).content.decode()
    assert "已结案" in page or "已关闭" in page or visit.get_status_display() in page


def test_a_dissatisfied_callback_keeps_the_entry_open(estate, staff, categories, resident):
    visit, repair = _repair_entry(estate, staff, categories, resident)
    finish(repair, staff)
    repair_services.repair_record_callback(
        repair_id=repair.pk, satisfaction=2, comment="还在漏", actor=staff["area_admin"]
    )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.OPEN


# --- web reports ---------------------------------------------------------------------------------


def test_a_web_report_is_logged_unowned_until_the_desk_takes_it(estate, unit, categories, staff):
    submit(public_client(), estate, form_data(categories))
    repair = Repair.objects.get()
    visit = Visit.objects.get(repair=repair)
    assert visit.channel == Channel.WEB and visit.category == Visit.Category.REPAIR
    assert visit.owner is None and visit.received_by is None
    assert visit.unit == unit and visit.caller_name == "王先生"
    received = visit.events.get(action=VisitEvent.Action.RECEIVED)
    assert received.actor is None and received.actor_label == "王先生"
    assert visit.events.filter(action="to_repair", data__number=repair.number).exists()

    desk = client_for(staff["frontdesk"])
    index = desk.get("/visits/").content.decode()
    assert 'data-testid="unowned"' in index and visit.number in index
    page = desk.get(visit.get_absolute_url()).content.decode()
    assert 'data-testid="take"' in page
    # A technician is offered nothing and refused.
    tech_page = client_for(staff["technician"]).get(visit.get_absolute_url())
    assert tech_page.status_code == 200 and 'data-testid="take"' not in tech_page.content.decode()
    with pytest.raises(PermissionDenied):
        first_contact.visit_take(visit_id=visit.pk, actor=staff["technician"])

    response = desk.post(f"/visits/{visit.pk}/take/", follow=True)
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.owner == staff["frontdesk"]
    taken = visit.events.get(action=VisitEvent.Action.TAKEN)  # not "owner changed"
    assert taken.data["to"] == "frontdesk" and taken.data["from"] == ""
    assert taken.actor == staff["frontdesk"]
    assert not visit.events.filter(action="owner_changed").exists()
    assert 'data-testid="take"' not in response.content.decode()
    # Someone else cannot take it away; taking one's own again changes nothing.
    with pytest.raises(InvalidTransition):
        first_contact.visit_take(visit_id=visit.pk, actor=staff["area_admin"])
    first_contact.visit_take(visit_id=visit.pk, actor=staff["frontdesk"])
    assert visit.events.filter(action=VisitEvent.Action.TAKEN).count() == 1


def test_the_api_takes_a_web_entry_as_the_desk_does(estate, unit, categories, staff):
    submit(public_client(), estate, form_data(categories))
    visit = Visit.objects.get()
    url = f"/api/v1/visits/{visit.pk}/take/"
    response = api_as(staff["frontdesk"]).post(url)
    assert response.status_code == 200 and response.json()["owner"] == "frontdesk"
    assert visit.events.filter(action=VisitEvent.Action.TAKEN, actor=staff["frontdesk"]).exists()
    refused = api_as(staff["area_admin"]).post(url)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"
    visit.refresh_from_db()
    assert visit.owner == staff["frontdesk"]


def test_a_web_report_rated_satisfied_closes_its_entry(estate, unit, categories, staff):
    response = submit(public_client(), estate, form_data(categories))
    repair = Repair.objects.get()
    finish(repair, staff)
    url = response["Location"].split("?")[0]
    assert public_client().post(url + "rate/", {"satisfaction": "5"}).status_code == 302
    visit = Visit.objects.get(repair=repair)
    assert visit.status == Visit.Status.CLOSED
    assert visit.events.get(action="called_back").actor is None


def test_web_report_entry_is_written_once(estate, unit, categories):
    client = public_client()
    data = form_data(categories, submission="abc123abc123")
    submit(client, estate, data)
    submit(client, estate, data)
    assert Visit.objects.count() == 1
    repair = Repair.objects.get()
    assert first_contact.log_web_report(repair) == Visit.objects.get()


def test_an_untaken_web_entry_can_still_become_a_complaint(estate, unit, categories, staff):
    submit(public_client(), estate, form_data(categories))
    visit = Visit.objects.get()
    complaint = complaint_services.visit_convert_to_complaint(
        visit_id=visit.pk, actor=staff["frontdesk"], description="报修三天没人来"
    )
    visit.refresh_from_db()
    assert visit.complaint == complaint and visit.owner is None
