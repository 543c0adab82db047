"""The repair pages as the desk and the technician use them (issue 12): one message per action,
timelines in the Status words, the technician's number and location, photos, paid work."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from propserv.phones import mask_phone
from tests.factories import make_staff
from tickets.models import PriceItem, Repair, RepairPhoto
from tickets.services import repairs as services

PHONE = "13912342929"


def jpeg_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def repair(estate, unit, categories, staff):
    return services.repair_create(
        estate=estate,
        unit=unit,
        location="厨房",
        category=categories["plumbing"],
        description="厨房水龙头漏水",
        reporter_name="王先生",
        reporter_phone=PHONE,
        actor=staff["frontdesk"],
        photos=[SimpleUploadedFile("leak.jpg", jpeg_bytes(), content_type="image/jpeg")],
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, repair, action, data=None, **kwargs):
    return client.post(
        reverse("tickets:repair-action", args=[repair.pk, action]), data or {}, **kwargs
    )


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_every_action_says_what_was_done(repair, staff):
    desk, tech = client_for(staff["frontdesk"]), client_for(staff["technician"])
    said = {}
    response = post(desk, repair, "dispatch", {"technician": staff["technician"].pk}, follow=True)
    said["dispatch"] = shown(response)
    for action in ("arrive", "start"):
        said[action] = shown(post(tech, repair, action, follow=True))
    said["complete"] = shown(
        post(tech, repair, "complete", {"labour_minutes": 30, "signed_by": "王先生"}, follow=True)
    )
    assert said["dispatch"] == [f"{repair.number} 已派工给 technician。"]
    assert said["arrive"] == [f"{repair.number}：已记录到场。"]
    assert said["start"] == [f"{repair.number}：已开工。"]
    assert said["complete"] == [f"{repair.number}：已完工，下一步回访。"]
    assert len({tuple(v) for v in said.values()}) == 4  # each action its own words
    assert not any("已完成" in m for v in said.values() for m in v)


@pytest.mark.django_db
def test_the_timeline_names_states_in_status_words_and_skips_unchanged(repair, staff):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )  # dispatched → dispatched: no state change to show
    services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    services.repair_start(repair_id=repair.pk, actor=staff["technician"])
    page = client_for(staff["frontdesk"]).get(repair.get_absolute_url()).content.decode()
    assert "已派工 → 已派工" not in page
    assert "维修工到场" in page and "已派工 → 已到场" in page
    assert "开工时间" not in page and "已到场 → 维修中" in page
    assert "已受理 → 已派工" in page


@pytest.mark.django_db
def test_technician_sees_the_whole_number_of_own_jobs_with_tap_to_call(
    repair, staff, estate, unit, categories
):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    tech = client_for(staff["technician"])
    jobs = tech.get(reverse("tickets:my-jobs")).content.decode()
    assert f'href="tel:{PHONE}"' in jobs
    detail = tech.get(repair.get_absolute_url()).content.decode()
    assert f'href="tel:{PHONE}"' in detail
    # The desk calls too.
    desk = client_for(staff["frontdesk"]).get(repair.get_absolute_url()).content.decode()
    assert f'href="tel:{PHONE}"' in desk
    # Anyone else: masked, no link — and a technician on someone else's job as well.
    other = services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["plumbing"],
        description="另一单",
        reporter_phone="13800005678",
        actor=staff["frontdesk"],
    )
    page = tech.get(other.get_absolute_url()).content.decode()
    assert "13800005678" not in page and mask_phone("13800005678") in page
    quality = client_for(staff["quality"]).get(repair.get_absolute_url()).content.decode()
    assert PHONE not in quality and "tel:" not in quality


@pytest.mark.django_db
def test_job_list_shows_location_and_returns_to_the_job_tapped(repair, staff, unit):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    tech = client_for(staff["technician"])
    page = tech.get(reverse("tickets:my-jobs")).content.decode()
    assert 'data-testid="location"' in page
    assert unit.code in page and "10 层" in page and "厨房" in page
    anchor = f"{reverse('tickets:my-jobs')}#job-{repair.pk}"
    assert f'name="next" value="{anchor}"' in page and f'id="job-{repair.pk}"' in page
    response = post(tech, repair, "arrive", {"next": anchor})
    assert response.status_code == 302 and response["Location"] == anchor


@pytest.mark.django_db
def test_staff_see_the_residents_photos_and_add_before_and_after(repair, staff, other_estate):
    photo = repair.photos.get()
    assert photo.kind == RepairPhoto.Kind.RESIDENT
    desk = client_for(staff["frontdesk"])
    page = desk.get(repair.get_absolute_url()).content.decode()
    url = reverse("tickets:repair-photo", args=[repair.pk, photo.pk])
    assert f'src="{url}"' in page
    image = desk.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    # Not for a stranger to the estate.
    stranger = client_for(make_staff("stranger", "frontdesk", estates=[other_estate]))
    assert stranger.get(url).status_code == 404
    # The technician on the job adds a photo after the work; a non-image is refused by content.
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    tech = client_for(staff["technician"])
    upload = reverse("tickets:repair-photo-upload", args=[repair.pk])
    tech.post(upload, {"kind": "after", "image": SimpleUploadedFile("a.jpg", jpeg_bytes())})
    fake = SimpleUploadedFile("b.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = tech.post(upload, {"kind": "before", "image": fake}, follow=True)
    assert any("JPEG" in m for m in shown(response))
    assert list(repair.photos.values_list("kind", flat=True)) == ["resident", "after"]
    assert repair.photos.get(kind="after").uploaded_by == staff["technician"]


@pytest.mark.django_db
def test_paid_work_quote_and_consent_on_the_phone_and_the_page(repair, staff, estate):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    tech = client_for(staff["technician"])
    jobs = tech.get(reverse("tickets:my-jobs")).content.decode()
    assert 'data-testid="quote-form"' in jobs and 'data-testid="consent-form"' not in jobs
    item = PriceItem.objects.filter(estate=estate).order_by("code").first()
    response = post(tech, repair, "quote", {f"qty_{item.pk}": "2"}, follow=True)
    assert shown(response) == [f"{repair.number}：已报价，请住户确认。"]
    repair.refresh_from_db()
    assert repair.chargeable and repair.quoted_amount == item.price * 2
    page = tech.get(repair.get_absolute_url()).content.decode()
    assert 'data-testid="consent-form"' in page and item.name in page
    # Nothing chosen: said beside the form, nothing changes.
    response = post(tech, repair, "consent", {"resident_name": ""})
    assert response.status_code == 200 and response.context["consent_form"].errors
    post(tech, repair, "consent", {"resident_name": "王先生"})
    repair.refresh_from_db()
    assert repair.consent_by == "王先生"
    page = tech.get(repair.get_absolute_url()).content.decode()
    assert 'data-testid="consent-form"' not in page and 'data-testid="quote-form"' not in page
    # The quality department sees the quote but is offered neither step.
    quality = client_for(staff["quality"]).get(repair.get_absolute_url()).content.decode()
    assert "quote-form" not in quality and "consent-form" not in quality
    assert Repair.objects.get(pk=repair.pk).status == Repair.Status.ON_SITE


@pytest.mark.django_db
def test_a_refused_completion_from_my_jobs_keeps_what_was_typed(repair, staff):
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    services.repair_start(repair_id=repair.pk, actor=staff["technician"])
    tech = client_for(staff["technician"])
    anchor = f"{reverse('tickets:my-jobs')}#job-{repair.pk}"
    response = post(
        tech,
        repair,
        "complete",
        {"labour_minutes": "35", "materials": "生料带 1 卷", "signed_by": "", "next": anchor},
    )
    assert response.status_code == 200  # the repair's page, not a redirect losing the input
    assert response.context["complete_form"].errors["signed_by"]
    page = response.content.decode()
    assert 'value="35"' in page and "生料带 1 卷" in page
    assert Repair.objects.get(pk=repair.pk).status == Repair.Status.IN_PROGRESS
