"""The cash desk's day: takings per cashier by method, the count, finance's close (no close
with an unexplained difference), the deposit slip; income by charge item for disclosure."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fees import selectors, services
from fees.models import DayClose
from propserv.errors import InvalidTransition, NotAllowed
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(billed_unit, staff):
    at = timezone.now()
    for amount, method, ref in [
        ("100.00", "cash", ""),
        ("50.00", "cash", ""),
        ("200.00", "wechat", "WX1"),
    ]:
        services.payment_post(
            unit=billed_unit,
            amount=amount,
            method=method,
            reference=ref,
            actor=staff["frontdesk"],
            at=at,
        )
    return timezone.localdate(at)


def test_takings_by_cashier_and_method(day, billed_unit, staff):
    (row,) = selectors.takings(billed_unit.estate, day)
    assert row["cashier"] == staff["frontdesk"]
    assert row["by_method"]["cash"] == D("150.00") and row["by_method"]["wechat"] == D("200.00")
    assert row["total"] == D("350.00") and row["expected_cash"] == D("150.00")


def test_unexplained_difference_refused(day, billed_unit, staff):
    with pytest.raises(ValidationError) as err:
        services.day_close(
            estate=billed_unit.estate,
            cashier=staff["frontdesk"],
            day=day,
            counted_cash="140.00",
            actor=staff["finance"],
        )
    assert "explanation" in err.value.message_dict
    assert not DayClose.objects.exists()
    close = services.day_close(
        estate=billed_unit.estate,
        cashier=staff["frontdesk"],
        day=day,
        counted_cash="140.00",
        explanation="找零差错",
        actor=staff["finance"],
    )
    assert close.difference == D("-10.00")
    with pytest.raises(InvalidTransition):
        services.day_close(
            estate=billed_unit.estate,
            cashier=staff["frontdesk"],
            day=day,
            counted_cash="150.00",
            actor=staff["finance"],
        )


def test_only_finance_closes_days(day, billed_unit, staff):
    for role in ("frontdesk", "project_manager", "supervisor"):
        with pytest.raises(NotAllowed):
            services.day_close(
                estate=billed_unit.estate,
                cashier=staff["frontdesk"],
                day=day,
                counted_cash="150.00",
                actor=staff[role],
            )


def test_days_page_close_and_slip(client, day, billed_unit, staff):
    client.login(username="finance", password=PASSWORD)
    url = reverse("fees:days") + f"?day={day:%Y-%m-%d}"
    assert "350.00" in client.get(url).content.decode()
    bad = client.post(url, {"cashier": staff["frontdesk"].pk, "counted_cash": "1.00"})
    assert bad.status_code == 400 and not DayClose.objects.exists()
    client.post(url, {"cashier": staff["frontdesk"].pk, "counted_cash": "150.00"})
    close = DayClose.objects.get()
    slip = client.get(reverse("fees:deposit-slip", args=[close.pk]))
    assert "150.00" in slip.content.decode()
    assert client.get(
        reverse("fees:deposit-slip", args=[close.pk]), {"format": "pdf"}
    ).content.startswith(b"%PDF")


def test_income_by_item(client, day, billed_unit, staff):
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    (row,) = selectors.income([billed_unit.estate_id], start, end)
    assert row["code"] == "service" and row["total"] == D("350.00")
    client.login(username="project_manager", password=PASSWORD)
    part = f"q{(day.month - 1) // 3 + 1}"
    page = client.get(reverse("fees:income"), {"year": day.year, "part": part})
    assert "350.00" in page.content.decode()
    xlsx = client.get(reverse("fees:income"), {"year": day.year, "part": part, "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(
        reverse("fees:income"),
        {"year": day.year, "part": "h1" if day.month <= 6 else "h2", "format": "pdf"},
    )
    assert pdf.content.startswith(b"%PDF")
