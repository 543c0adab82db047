"""Applications, review and the permit (docs/domain.md, "Renovation")."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from inspections import services
from inspections.models import Renovation, RenovationDocument, RenovationEvent
from propserv.documents import Document, Text, pdf_bytes
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Unit
from tests.factories import UnitFactory, make_staff
from tests.inspections.conftest import login
from tests.inspections.helpers import apply, approved, at, make_owner

pytestmark = pytest.mark.django_db


def png_upload(name: str = "plan.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf_upload(name: str = "plan.pdf") -> SimpleUploadedFile:
    data = pdf_bytes(Document(title="图纸", filename="x", blocks=[Text("平面图")]))
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_approval_issues_a_numbered_permit_and_the_unit_is_renovating(unit, owner, person, staff):
    before = unit.status
    renovation = approved(unit, owner, person, staff)
    assert renovation.status == Renovation.Status.APPROVED
    assert renovation.permit_number == "ZX2026-0001"
    assert renovation.unit_status_before == before
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.RENOVATING
    again = services.renovation_approve(renovation=renovation, actor=staff["supervisor"])
    assert again.permit_number == "ZX2026-0001"  # idempotent
    actions = list(
        RenovationEvent.objects.filter(renovation=renovation).values_list("action", "to_status")
    )
    assert actions == [("submitted", ""), ("approved", "approved")]
    other = UnitFactory(building=unit.building, code="3-2-1602")
    second = approved(other, make_owner(other, "王业主"), person, staff)
    assert second.permit_number == "ZX2026-0002"


@pytest.mark.parametrize("code", ["structural", "facade", "addition"])
def test_structural_facade_or_additions_are_refused_and_nothing_is_written(
    code, unit, owner, person, staff
):
    with pytest.raises(ValidationError) as exc:
        apply(unit, owner, person, staff["frontdesk"], scope=["walls", code])
    assert "scope" in exc.value.message_dict
    assert not Renovation.objects.exists()


@pytest.mark.parametrize("deposit", ["3000.005", "-1", "NaN"])
def test_deposit_in_whole_cents_or_refused(deposit, unit, owner, person, staff):
    """A sub-cent deposit is refused (Postgres would round it silently), nothing written."""
    with pytest.raises(ValidationError) as exc:
        apply(unit, owner, person, staff["frontdesk"], deposit=Decimal(deposit))
    assert "deposit" in exc.value.message_dict
    assert not Renovation.objects.exists()


def test_a_permit_is_never_issued_for_structural_scope(unit, owner, person, staff):
    renovation = apply(unit, owner, person, staff["frontdesk"])
    Renovation.objects.filter(pk=renovation.pk).update(scope=["walls", "structural"])
    with pytest.raises(InvalidTransition) as exc:
        services.renovation_approve(renovation=renovation, actor=staff["supervisor"])
    assert exc.value.code == "forbidden_scope"
    renovation.refresh_from_db()
    assert renovation.status == Renovation.Status.SUBMITTED and renovation.permit_number == ""
    assert Unit.objects.get(pk=unit.pk).status != Unit.Status.RENOVATING


def test_rejection_needs_reasons_and_is_final(unit, owner, person, staff):
    renovation = apply(unit, owner, person, staff["frontdesk"])
    with pytest.raises(ValidationError):
        services.renovation_reject(renovation=renovation, reasons=" ", actor=staff["supervisor"])
    services.renovation_reject(renovation=renovation, reasons="图纸不全", actor=staff["supervisor"])
    renovation.refresh_from_db()
    assert renovation.status == Renovation.Status.REJECTED
    with pytest.raises(InvalidTransition):
        services.renovation_approve(renovation=renovation, actor=staff["supervisor"])
    # a new application for the unit may follow a rejection
    assert apply(unit, owner, person, staff["frontdesk"]).status == Renovation.Status.SUBMITTED


def test_one_open_renovation_per_unit(unit, owner, person, staff):
    apply(unit, owner, person, staff["frontdesk"])
    with pytest.raises(InvalidTransition):
        apply(unit, owner, person, staff["frontdesk"])


def test_the_applicant_is_an_owner_of_the_unit(unit, person, staff):
    tenant = make_owner(unit, "租客")
    tenant.role = "tenant"
    tenant.save()
    with pytest.raises(ValidationError) as exc:
        apply(unit, tenant, person, staff["frontdesk"])
    assert "owner" in exc.value.message_dict


def test_another_estates_unit_is_concealed(estate, other_estate, owner, person, staff):
    far_unit = UnitFactory(building__estate=other_estate, code="9-9-999")
    far_owner = make_owner(far_unit)
    with pytest.raises(NotAllowed) as exc:
        apply(far_unit, far_owner, person, staff["frontdesk"])
    assert exc.value.conceal
    assert not Renovation.objects.exists()


def test_uploads_are_checked_by_content(unit, owner, person, staff):
    fake = SimpleUploadedFile(
        "plan.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"
    )
    with pytest.raises(ValidationError):
        apply(
            unit,
            owner,
            person,
            staff["frontdesk"],
            documents=[("drawing", png_upload()), ("document", fake)],
        )
    assert not Renovation.objects.exists() and not RenovationDocument.objects.exists()
    lying = SimpleUploadedFile("photo.jpg", png_upload().read(), content_type="image/jpeg")
    with pytest.raises(ValidationError):
        apply(unit, owner, person, staff["frontdesk"], documents=[("drawing", lying)])
    renovation = apply(
        unit,
        owner,
        person,
        staff["frontdesk"],
        documents=[("drawing", png_upload()), ("document", pdf_upload())],
    )
    kinds = sorted(renovation.documents.values_list("kind", "content_type"))
    assert kinds == [("document", "application/pdf"), ("drawing", "image/jpeg")]


def test_permit_prints_as_html_and_pdf(client, unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    login(client, "patrol")
    html = client.get(reverse("inspections:permit", args=[renovation.pk]))
    assert html.status_code == 200 and "ZX2026-0001" in html.content.decode()
    pdf = client.get(reverse("inspections:permit", args=[renovation.pk]), {"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_application_and_approval_through_the_pages(client, estate, unit, owner, person, staff):
    login(client, "frontdesk")
    data = {
        "estate": estate.code,
        "unit": unit.pk,
        "owner": owner.pk,
        "contractor": person.contractor.pk,
        "responsible": person.pk,
        "scope": ["walls", "structural"],
        "planned_start": "2026-07-01",
        "planned_end": "2026-08-31",
        "deposit": "3000",
    }
    refused = client.post(reverse("inspections:renovation-new"), data)
    assert refused.status_code == 400 and not Renovation.objects.exists()
    data["scope"] = ["walls"]
    response = client.post(reverse("inspections:renovation-new"), data)
    renovation = Renovation.objects.get()
    assert response.status_code == 302 and response["Location"] == renovation.get_absolute_url()
    url = reverse("inspections:approve", args=[renovation.pk])
    assert client.post(url, {"conditions": ""}).status_code == 403  # the desk does not approve
    login(client, "supervisor")
    assert client.post(url, {"conditions": "白天施工"}).status_code == 302
    renovation.refresh_from_db()
    assert renovation.status == Renovation.Status.APPROVED
    page = client.get(renovation.get_absolute_url()).content.decode()
    assert renovation.permit_number in page


def test_another_estates_renovation_is_a_404(client, other_estate, unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    make_staff("far", "supervisor", estates=[other_estate])
    login(client, "far")
    assert client.get(renovation.get_absolute_url()).status_code == 404
    assert client.get(reverse("inspections:permit", args=[renovation.pk])).status_code == 404


def test_at_helper_is_shanghai():
    assert at(7, 1, 10).utcoffset().total_seconds() == 8 * 3600


def test_a_drawing_opens_only_for_those_who_follow_the_estates_renovations(
    client, unit, owner, person, staff, other_estate, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    renovation = apply(
        unit, owner, person, staff["frontdesk"], documents=[("drawing", pdf_upload())]
    )
    doc = renovation.documents.get()
    url = reverse("inspections:document", args=[doc.pk])
    page = login(client, "frontdesk").get(renovation.get_absolute_url()).content.decode()
    assert url in page and "/media/" not in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    make_staff("elsewhere", "frontdesk", estates=[other_estate])
    assert login(client, "elsewhere").get(url).status_code == 404
    assert login(client, "technician").get(url).status_code == 403
