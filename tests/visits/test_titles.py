"""Title certificates (产权服务): owners paid in full are listed (from fees, or a file), each
certificate moves through its stages with dates, the desk is notified to tell the owner when it
is issued, and the list of who is waiting prints and downloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from fees.models import Charge
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Notification
from tests.factories import ResidentFactory, UnitFactory
from tests.fees.helpers import service_item
from tests.visits.helpers import client_for
from visits.models import TitleCertificate, TitleEvent
from visits.services import titles

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def charge(unit, amount, paid):
    item = service_item(unit.estate) if not unit.estate.charge_items.exists() else None
    item = item or unit.estate.charge_items.get()
    return Charge.objects.create(
        estate=unit.estate,
        unit=unit,
        item=item,
        period=dt.date(2026, 1, 1),
        due_on=dt.date(2026, 1, 31),
        amount=Decimal(amount),
        paid=Decimal(paid),
    )


@pytest.fixture
def owners(estate):
    paid = ResidentFactory(unit=UnitFactory(building__estate=estate, code="1-1-101"), name="李娜")
    owing = ResidentFactory(unit=UnitFactory(building__estate=estate, code="1-1-102"), name="张伟")
    never_billed = ResidentFactory(
        unit=UnitFactory(building__estate=estate, code="1-1-103"), name="赵敏"
    )
    charge(paid.unit, "250.00", "250.00")
    charge(owing.unit, "250.00", "100.00")
    return paid, owing, never_billed


def test_owners_paid_in_full_are_listed_once(estate, staff, owners):
    paid, _owing, _never = owners
    assert titles.titles_list_paid_in_full(estate=estate, actor=staff["frontdesk"]) == 1
    assert titles.titles_list_paid_in_full(estate=estate, actor=staff["frontdesk"]) == 0
    cert = TitleCertificate.objects.get()
    assert (cert.owner, cert.stage, cert.source) == (paid, "listed", "fees")


def test_a_certificate_through_its_stages_with_the_owner_notified(estate, staff, owners):
    titles.titles_list_paid_in_full(estate=estate, actor=staff["frontdesk"], today=TODAY)
    cert = TitleCertificate.objects.get()
    desk = staff["frontdesk"]
    days = [TODAY - dt.timedelta(days=n) for n in (20, 10, 1, 0)]
    for stage, on in zip(["collected", "submitted", "issued"], days, strict=False):
        titles.title_advance(certificate_id=cert.pk, actor=desk, stage=stage, on=on)
    cert.refresh_from_db()
    assert (cert.collected_on, cert.submitted_on, cert.issued_on) == tuple(days[:3])
    ready = Notification.objects.filter(url=cert.get_absolute_url())
    assert {n.recipient for n in ready} == {staff["frontdesk"], staff["area_admin"]}
    assert "李娜" in ready.first().title
    titles.title_owner_notified(certificate_id=cert.pk, actor=desk)
    titles.title_advance(certificate_id=cert.pk, actor=desk, stage="handed", on=days[3])
    cert.refresh_from_db()
    assert cert.stage == "handed" and cert.handed_on == TODAY and cert.owner_notified_at
    actions = list(TitleEvent.objects.filter(certificate=cert).values_list("action", flat=True))
    assert actions == ["listed", "collected", "submitted", "issued", "notified", "handed"]
    # the unit's card shows it
    body = client_for(desk).get(reverse("visits:lookup") + "?q=1-1-101").content.decode()
    assert "已交业主" in body


def test_bad_stages_are_refused_translated_and_nothing_written(estate, staff, owners):
    titles.titles_list_paid_in_full(estate=estate, actor=staff["frontdesk"])
    cert = TitleCertificate.objects.get()
    desk = staff["frontdesk"]
    with translation.override("zh-hans"):
        with pytest.raises(InvalidTransition) as exc:  # skipping a stage
            titles.title_advance(certificate_id=cert.pk, actor=desk, stage="issued", on=TODAY)
        assert "下一步" in str(exc.value)
        with pytest.raises(ValidationError) as exc:  # a date to come
            titles.title_advance(
                certificate_id=cert.pk, actor=desk, stage="collected", on=TODAY + dt.timedelta(1)
            )
        assert "日期" in " ".join(exc.value.messages)
    titles.title_advance(certificate_id=cert.pk, actor=desk, stage="collected", on=TODAY)
    with pytest.raises(ValidationError):  # before the previous stage
        titles.title_advance(
            certificate_id=cert.pk, actor=desk, stage="submitted", on=TODAY - dt.timedelta(1)
        )
    with pytest.raises(NotAllowed):
        titles.title_advance(
            certificate_id=cert.pk, actor=staff["technician"], stage="submitted", on=TODAY
        )
    cert.refresh_from_db()
    assert cert.stage == "collected" and cert.submitted_on is None
    assert TitleEvent.objects.filter(certificate=cert).count() == 2


def test_import_checks_every_row_first(estate, staff, owners):
    paid, owing, _never = owners
    good = "房号,姓名\n1-1-101,李娜\n1-1-102,张伟\n".encode()
    bad = "房号,姓名\n1-1-101,李娜\n9-9-999,无名\n".encode()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        titles.titles_import(
            estate=estate, actor=staff["frontdesk"], file=BytesIO(bad), filename="list.csv"
        )
    assert "第 3 行" in " ".join(exc.value.messages)
    assert TitleCertificate.objects.count() == 0
    n = titles.titles_import(
        estate=estate, actor=staff["frontdesk"], file=BytesIO(good), filename="list.csv"
    )
    assert n == 2 and set(TitleCertificate.objects.values_list("source", flat=True)) == {"import"}


def test_waiting_list_page_print_and_xlsx(estate, staff, owners):
    titles.titles_list_paid_in_full(
        estate=estate, actor=staff["frontdesk"], today=TODAY - dt.timedelta(days=12)
    )
    client = client_for(staff["frontdesk"])
    url = reverse("visits:titles") + f"?estate={estate.code}"
    body = client.get(url).content.decode()
    assert "李娜" in body and "12 天" in body
    assert "李娜" in client.get(url + "&format=print").content.decode()
    sheet = load_workbook(BytesIO(client.get(url + "&format=xlsx").content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "1-1-101" in values and 12 in values
    # the import form on the page
    upload = SimpleUploadedFile("list.csv", "房号,姓名\n1-1-102,张伟\n".encode())
    response = client.post(url, {"file": upload})
    assert response.status_code == 302 and TitleCertificate.objects.count() == 2
