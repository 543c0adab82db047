"""The screens: intake with few fields, the filtered list, detail with timeline, my complaints,
the printable letter, the callback queue with calling hours, repeat lists, scoping."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.factories import EstateFactory, UnitFactory, make_staff
from tests.tickets.complaints.conftest import at
from tickets.models import Callback, Complaint
from tickets.services import complaints as services
from tickets.services import repairs as repair_services


@pytest.fixture
def frontdesk_client(client, staff):
    client.force_login(staff["frontdesk"])
    return client


@pytest.mark.django_db
def test_intake_by_phone_needs_only_a_few_fields(frontdesk_client, unit):
    url = reverse("tickets:complaint-new")
    page = frontdesk_client.get(url).content.decode()
    assert 'name="description"' in page and "<details" in page
    response = frontdesk_client.post(
        url,
        {
            "unit_code": unit.code,
            "complainant_phone": "13800001111",
            "category": "efficiency",
            "description": "电梯坏了三天没人修",
            "apologised": "on",
            # the optional details keep their defaults
            "channel": "phone",
            "department": "engineering",
            "complainant_kind": "resident",
            "households": "1",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == complaint.get_absolute_url()
    assert complaint.apologised is True
    assert complaint.department == "engineering"
    assert complaint.proposed_grade == "important"


@pytest.mark.django_db
def test_intake_errors_are_shown_and_nothing_is_saved(frontdesk_client):
    response = frontdesk_client.post(
        reverse("tickets:complaint-new"),
        {
            "unit_code": "9-9-9999",
            "category": "other",
            "description": "",
            "channel": "phone",
            "department": "other",
            "complainant_kind": "resident",
            "households": "1",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "9-9-9999" in html  # "there is no unit 9-9-9999"
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_grade_reply_handle_from_the_detail_page(frontdesk_client, make_complaint, staff):
    complaint = make_complaint(channel="letter", category="staff")
    url = reverse("tickets:complaint-detail", args=[complaint.pk])
    page = frontdesk_client.get(url).content.decode()
    assert 'data-testid="proposed-grade"' in page
    action = lambda name: reverse("tickets:complaint-action", args=[complaint.pk, name])  # noqa: E731
    frontdesk_client.post(action("grade"), {"grade": "important"})
    frontdesk_client.post(action("report"), {"reported_to": ["supervisor"]})
    response = frontdesk_client.post(action("reply"), {"channel": "phone", "text": "电话告知"})
    assert response.status_code == 302
    frontdesk_client.post(action("reply"), {"channel": "letter", "text": "书面答复：已处理"})
    frontdesk_client.post(action("handle"), {"outcome": "已批评教育当事员工"})
    complaint.refresh_from_db()
    assert complaint.grade == "important"
    assert complaint.status == "handled"
    assert complaint.reported_up_at is not None
    page = frontdesk_client.get(url).content.decode()
    for action_label in ("graded", "reported_up", "replied", "handled"):
        assert complaint.events.filter(action=action_label).exists()
    assert page.count("<li><time") >= 6  # the timeline
    reply = complaint.replies.get(channel="letter")
    letter = frontdesk_client.get(
        reverse("tickets:complaint-letter", args=[complaint.pk, reply.pk])
    ).content.decode()
    assert 'data-testid="letterhead"' in letter
    assert complaint.estate.name in letter and complaint.estate.service_phone in letter
    assert "书面答复：已处理" in letter and complaint.number in letter
    assert "?format=pdf" in letter
    pdf = frontdesk_client.get(
        reverse("tickets:complaint-letter", args=[complaint.pk, reply.pk]), {"format": "pdf"}
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf_text(pdf.content).count(complaint.number) >= 1


@pytest.mark.django_db
def test_a_refused_action_shows_why_and_changes_nothing(frontdesk_client, make_complaint):
    complaint = make_complaint()
    response = frontdesk_client.post(
        reverse("tickets:complaint-action", args=[complaint.pk, "handle"]),
        {"outcome": "已处理"},
        follow=True,
    )
    assert response.status_code == 200
    assert list(response.context["messages"])[0].level_tag == "error"
    complaint.refresh_from_db()
    assert complaint.status == "received"


@pytest.mark.django_db
def test_a_refused_action_shows_the_same_page_with_what_was_typed(client, make_complaint, staff):
    complaint = make_complaint()
    services.complaint_grade(
        complaint_id=complaint.pk, grade="minor", reason="定级", actor=staff["frontdesk"]
    )
    client.force_login(staff["project_manager"])
    too_early = timezone.localtime(timezone.now() + dt.timedelta(minutes=5))
    response = client.post(
        reverse("tickets:complaint-action", args=[complaint.pk, "extend"]),
        {"new_due_at": too_early.strftime("%Y-%m-%dT%H:%M"), "reason": "等待厂家配件"},
    )
    assert response.status_code == 200  # not a redirect: the same page
    # Issue 12, item 4: an error about a field stands beside that field, not as a banner.
    assert list(response.context["messages"]) == []
    assert response.context["extend_form"].errors["new_due_at"]
    assert 'value="等待厂家配件"' in response.content.decode()
    assert not complaint.extensions.exists()


@pytest.mark.django_db
def test_list_filters_by_grade_category_status_and_deadline(
    frontdesk_client, make_complaint, staff, estate
):
    now = timezone.now()
    late = make_complaint(now - dt.timedelta(hours=3), category="staff")
    services.complaint_grade(
        complaint_id=late.pk, grade="important", actor=staff["frontdesk"], at=now
    )  # report-up was due an hour after receipt: overdue
    fresh = make_complaint(category="other", unit=UnitFactory(building__estate=estate))
    url = reverse("tickets:complaint-list")

    def listed(**params):
        html = frontdesk_client.get(url, params).content.decode()
        return {c.number for c in (late, fresh) if f'data-testid="complaint-{c.pk}"' in html}

    assert listed() == {late.number, fresh.number}
    assert listed(grade="important") == {late.number}
    assert listed(grade="none") == {fresh.number}
    assert listed(category="other") == {fresh.number}
    assert listed(status="received") == {fresh.number}
    assert listed(deadline="overdue") == {late.number}
    assert listed(deadline="on_time") == {fresh.number}


@pytest.mark.django_db
def test_my_complaints_are_the_ones_i_own(client, make_complaint, staff):
    mine = make_complaint(actor=staff["area_admin"])
    other = make_complaint(actor=staff["frontdesk"], category="staff")
    client.force_login(staff["area_admin"])
    html = client.get(reverse("tickets:my-complaints")).content.decode()
    assert f'data-testid="complaint-{mine.pk}"' in html
    assert f'data-testid="complaint-{other.pk}"' not in html
    services.complaint_assign_owner(
        complaint_id=other.pk, owner=staff["area_admin"], actor=staff["supervisor"]
    )
    html = client.get(reverse("tickets:my-complaints")).content.decode()
    assert f'data-testid="complaint-{other.pk}"' in html


@pytest.mark.django_db
def test_gm_names_the_owner_of_a_major_complaint(frontdesk_client, make_complaint, staff):
    complaint = make_complaint(households=5)
    services.complaint_grade(complaint_id=complaint.pk, grade="major", actor=staff["frontdesk"])
    url = reverse("tickets:complaint-action", args=[complaint.pk, "owner"])
    frontdesk_client.post(url, {"owner": staff["project_manager"].pk})
    complaint.refresh_from_db()
    assert complaint.owner == staff["frontdesk"]
    frontdesk_client.force_login(staff["gm"])
    frontdesk_client.post(url, {"owner": staff["project_manager"].pk})
    complaint.refresh_from_db()
    assert complaint.owner == staff["project_manager"]


@pytest.mark.django_db
def test_other_estates_records_are_404_on_every_screen(client, make_complaint, staff):
    complaint = make_complaint(channel="letter")
    services.complaint_grade(complaint_id=complaint.pk, grade="important", actor=staff["gm"])
    reply = services.complaint_reply(
        complaint_id=complaint.pk, channel="letter", text="x", actor=staff["gm"]
    )
    services.complaint_mark_handled(complaint_id=complaint.pk, outcome="x", actor=staff["gm"])
    callback = Callback.objects.get(complaint=complaint)
    stranger = make_staff("stranger", "frontdesk", "gm", estates=[EstateFactory(code="ELSE")])
    client.force_login(stranger)
    for url in (
        reverse("tickets:complaint-detail", args=[complaint.pk]),
        reverse("tickets:complaint-letter", args=[complaint.pk, reply.pk]),
        reverse("tickets:callback-detail", args=[callback.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("tickets:complaint-action", args=[complaint.pk, "grade"]), {"grade": "minor"}),
        (reverse("tickets:callback-action", args=[callback.pk, "complete"]), {"satisfaction": 5}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert (
        "TS"
        not in client.get(reverse("tickets:complaint-list"))
        .content.decode()
        .split("<tbody>")[1]
        .split("</tbody>")[0]
    )


@pytest.mark.django_db
def test_callback_queue_orders_by_due_and_says_when_to_call(
    frontdesk_client, make_complaint, staff, estate
):
    made = []
    for handled in (at(2026, 11, 20, 10, 30), at(2026, 11, 20, 9, 0)):
        c = make_complaint(
            handled - dt.timedelta(hours=1),
            category="other",
            unit=UnitFactory(building__estate=estate),
        )
        services.complaint_grade(
            complaint_id=c.pk, grade="minor", actor=staff["frontdesk"], at=handled
        )
        services.complaint_reply(
            complaint_id=c.pk, channel="phone", text="已答复", actor=staff["frontdesk"], at=handled
        )
        services.complaint_mark_handled(
            complaint_id=c.pk, outcome="已处理", actor=staff["frontdesk"], at=handled
        )
        made.append(Callback.objects.get(complaint=c))
    later, earlier = made
    # It is 12:30 on the day the callbacks fall due: lunch break.
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 11, 23, 12, 30)):
        html = frontdesk_client.get(reverse("tickets:callback-queue")).content.decode()
    assert html.index(f'callback-{earlier.pk}"') < html.index(f'callback-{later.pk}"')
    assert html.count('data-testid="call-at"') == 2
    assert "11-23 14:00" in html


@pytest.mark.django_db
def test_repeat_complaints_and_repairs_are_listed_for_managers(
    client, make_complaint, staff, estate, unit, categories
):
    first = make_complaint(category="management", department="security")
    second = make_complaint(category="management", department="security")
    assert second.same_matter_as == first
    assert second.repeat_count == 2 and second.repeat_flagged
    assert not first.repeat_flagged
    for _ in range(3):
        repair = repair_services.repair_create(
            estate=estate,
            unit=unit,
            category=categories["plumbing"],
            description="水龙头漏水",
            actor=staff["frontdesk"],
        )
    tech = staff["technician"]
    repair_services.repair_dispatch(repair_id=repair.pk, technician=tech, actor=staff["frontdesk"])
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech)
    repair_services.repair_start(repair_id=repair.pk, actor=tech)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=20, signed_by="王女士"
    )
    client.force_login(staff["area_admin"])
    queue = client.get(reverse("tickets:callback-queue")).content.decode()
    assert 'data-testid="repeat"' in queue and "×3" in queue  # flagged where it is called back
    client.force_login(staff["frontdesk"])
    assert client.get(reverse("tickets:repeats")).status_code == 403
    client.force_login(staff["project_manager"])
    html = client.get(reverse("tickets:repeats")).content.decode()
    assert second.number in html
    assert "水龙头/洁具" in html and unit.code in html
    detail = client.get(second.get_absolute_url()).content.decode()
    assert first.number in detail  # "same matter as"


@pytest.mark.django_db
def test_every_screen_renders_in_both_languages(client, make_complaint, staff):
    complaint = make_complaint(channel="letter")
    services.complaint_grade(complaint_id=complaint.pk, grade="important", actor=staff["gm"])
    reply = services.complaint_reply(
        complaint_id=complaint.pk, channel="letter", text="书面答复", actor=staff["gm"]
    )
    services.complaint_mark_handled(complaint_id=complaint.pk, outcome="已处理", actor=staff["gm"])
    callback = Callback.objects.get(complaint=complaint)
    client.force_login(staff["project_manager"])
    urls = [
        reverse("tickets:complaint-list"),
        reverse("tickets:complaint-new"),
        reverse("tickets:my-complaints"),
        complaint.get_absolute_url(),
        reverse("tickets:complaint-letter", args=[complaint.pk, reply.pk]),
        reverse("tickets:callback-queue"),
        callback.get_absolute_url(),
        reverse("tickets:complaint-report"),
        reverse("tickets:repeats"),
    ]
    for language, word in (("en", "Complaint"), ("zh-hans", "投诉")):
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (language, url)
            assert word.lower() in response.content.decode().lower(), (language, url)


@pytest.mark.django_db
def test_grade_form_offers_only_the_grades_the_user_may_give(
    client, make_complaint, staff, frontdesk_client
):
    complaint = make_complaint()
    services.complaint_grade(
        complaint_id=complaint.pk, grade="major", reason="媒体已介入", actor=staff["frontdesk"]
    )
    url = reverse("tickets:complaint-detail", args=[complaint.pk])
    page = frontdesk_client.get(url).content.decode()
    assert 'value="major"' in page and 'value="minor"' not in page  # only upward for the desk
    client.force_login(staff["quality"])
    page = client.get(url).content.decode()
    assert 'value="major"' in page and 'value="minor"' in page  # quality may lower it
    with pytest.raises(PermissionDenied):
        services.complaint_grade(
            complaint_id=complaint.pk, grade="minor", reason="核实后降级", actor=staff["frontdesk"]
        )


def pdf_text(content: bytes) -> str:
    """The PDF's text (pdftotext, poppler-utils), to check that it says what the letter says."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return subprocess.run(
            ["pdftotext", file.name, "-"], capture_output=True, text=True, check=True
        ).stdout


@pytest.mark.django_db
def test_report_up_without_a_recipient_says_so_beside_the_field_and_keeps_the_note(
    frontdesk_client, make_complaint, staff
):
    """Issue 12, item 4: not a banner "已上报给: 该字段是必填项。", and the note is kept."""
    complaint = make_complaint()
    services.complaint_grade(
        complaint_id=complaint.pk, grade="important", reason="定级", actor=staff["frontdesk"]
    )
    response = frontdesk_client.post(
        reverse("tickets:complaint-action", args=[complaint.pk, "report"]),
        {"note": "已电话通知主管"},
    )
    assert response.status_code == 200
    assert list(response.context["messages"]) == []
    assert response.context["report_form"].errors["reported_to"]
    page = response.content.decode()
    assert 'value="已电话通知主管"' in page
    complaint.refresh_from_db()
    assert complaint.reported_to == []


@pytest.mark.django_db
def test_the_ticket_owner_is_not_called_the_homeowner(frontdesk_client, make_complaint):
    """Issue 12, item 4: propserv translates "Owner" as 业主; a ticket's owner is 负责人."""
    complaint = make_complaint()
    page = frontdesk_client.get(complaint.get_absolute_url()).content.decode()
    start = page.index('data-testid="owner"')
    assert "<dt>负责人</dt>" in page[start - 40 : start]
    assert "<summary>负责人</summary>" in page
