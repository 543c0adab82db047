"""The fees pages: cashier's desk → receipt, statement, arrears list + export, notice, billing
runs, the unit panel; refusals re-render with a translated message and write nothing."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fees import services
from fees.models import ArrearsNotice, BillingRun, Payment
from propserv.registry import registry
from tests.conftest import PASSWORD
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def login(client, username):
    client.login(username=username, password=PASSWORD)
    return client


def test_desk_lookup_to_receipt(desk, billed_unit):
    resp = desk.get(reverse("fees:desk"), {"q": "1502"})
    assert resp.status_code == 302 and f"unit={billed_unit.pk}" in resp["Location"]
    page = desk.get(resp["Location"])
    assert page.status_code == 200 and "750.00" in page.content.decode()
    resp = desk.post(
        resp["Location"], {"amount": "750.00", "method": "wechat", "reference": "WX778899"}
    )
    payment = Payment.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "fees:receipt", args=[payment.pk]
    )
    receipt = desk.get(resp["Location"]).content.decode()
    assert payment.receipt_number in receipt and "WX778899" in receipt
    pdf = desk.get(resp["Location"], {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_desk_refusal_keeps_input_and_writes_nothing(desk, billed_unit):
    url = reverse("fees:desk") + f"?unit={billed_unit.pk}"
    resp = desk.post(url, {"amount": "900.00", "method": "cash"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "预付" in body and 'value="900.00"' in body
    assert not Payment.objects.exists()


def test_desk_other_estate_unit_404(desk, other_estate):
    stranger = UnitFactory(building__estate=other_estate, code="X-1")
    assert desk.get(reverse("fees:desk"), {"unit": stranger.pk}).status_code == 404


def test_statement_and_reverse(client, staff, billed_unit):
    payment = services.payment_post(
        unit=billed_unit, amount="250", method="cash", actor=staff["frontdesk"]
    )
    login(client, "finance")
    page = client.get(reverse("fees:statement", args=[billed_unit.pk])).content.decode()
    assert payment.receipt_number in page and reverse("fees:reverse", args=[payment.pk]) in page
    resp = client.post(reverse("fees:reverse", args=[payment.pk]), {"reason": "录错户"})
    assert resp.status_code == 302
    payment.refresh_from_db()
    assert payment.reversed_at is not None


def test_technician_may_not_open_fees(client, staff, billed_unit):
    login(client, "technician")
    assert client.get(reverse("fees:statement", args=[billed_unit.pk])).status_code == 403


def test_arrears_list_and_export(client, staff, billed_unit):
    login(client, "supervisor")
    page = client.get(reverse("fees:arrears"), {"min_months": "1"})
    assert page.status_code == 200 and billed_unit.code in page.content.decode()
    csv = client.get(reverse("fees:arrears"), {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and billed_unit.code in csv.content.decode()
    xlsx = client.get(reverse("fees:arrears"), {"export": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_notice_prepare_approve_print(client, staff, billed_unit):
    login(client, "finance")
    resp = client.post(reverse("fees:notice-prepare"))
    notice = ArrearsNotice.objects.get()
    assert resp["Location"] == reverse("fees:notice", args=[notice.pk])
    assert client.post(resp["Location"]).status_code == 404  # finance may not approve
    login(client, "project_manager")
    client.post(resp["Location"])
    notice.refresh_from_db()
    assert notice.status == "approved"
    printed = client.get(resp["Location"], {"format": "html"}).content.decode()
    assert notice.number in printed
    assert client.get(resp["Location"], {"format": "pdf"}).content.startswith(b"%PDF")


def test_billing_page_preview_and_issue(
    client, staff, unit, item, django_capture_on_commit_callbacks
):
    login(client, "finance")
    page = client.get(reverse("fees:billing"), {"period": "2026-04"})
    assert page.status_code == 200 and "250.00" in page.content.decode()
    resp = client.post(reverse("fees:billing"), {"period": "2026-04"})
    assert resp.status_code == 302
    run = BillingRun.objects.get()
    services.billing_issue(run=run, actor=staff["finance"])
    assert "100" in client.get(reverse("fees:billing")).content.decode()


def test_billing_closed_period_message(client, staff, unit, item):
    services.period_close(estate=unit.estate, period=dt.date(2026, 4, 1), actor=staff["finance"])
    login(client, "finance")
    resp = client.post(
        reverse("fees:billing"), {"period": "2026-04"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert resp.status_code == 400 and not BillingRun.objects.exists()
    assert "已关账" in resp.content.decode()


def test_billing_preview_of_closed_period_offers_no_issue(client, staff, unit, item):
    """The page does not offer what billing_start refuses: issuing a closed period."""
    login(client, "finance")
    open_page = client.get(reverse("fees:billing"), {"period": "2026-04"}).content.decode()
    issue_form = '<input type="hidden" name="period" value="2026-04">'
    assert issue_form in open_page
    services.period_close(estate=unit.estate, period=dt.date(2026, 4, 1), actor=staff["finance"])
    page = client.get(reverse("fees:billing"), {"period": "2026-04"}).content.decode()
    assert 'data-testid="preview"' in page and issue_form not in page
    assert 'data-testid="closed"' in page


def test_statement_title_is_text_and_the_reminder_form_shows_once(client, staff, billed_unit):
    login(client, "finance")
    page = client.get(reverse("fees:statement", args=[billed_unit.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert billed_unit.code in title and "<" not in title
    assert page.count('name="outcome"') == 1  # the reminder form, once


def test_unit_panel_registered(rf, staff, billed_unit):
    panel = registry.panels[("unit", "fees.unit")]
    request = rf.get("/")
    request.user = staff["frontdesk"]
    context = panel.context(request, billed_unit)
    assert context["balance"] == D("750.00") and context["can_take"]
    request.user = staff["technician"]
    assert panel.context(request, billed_unit) is not None  # the registry filters by role
    assert panel not in registry.panels_for("unit", staff["technician"])


@pytest.mark.parametrize(
    "role", ["frontdesk", "finance", "project_manager", "supervisor", "area_admin", "quality", "gm"]
)
def test_every_subnav_link_opens_for_whoever_sees_it(client, staff, billed_unit, role):
    login(client, role)
    page = client.get(reverse("fees:arrears"))
    assert page.status_code == 200
    links = re.findall(r'<nav class="subnav"[^>]*>(.*?)</nav>', page.content.decode(), re.S)[0]
    for href in re.findall(r'href="([^"]+)"', links):
        assert client.get(href).status_code == 200, (role, href)


def test_statement_queries_do_not_grow_with_payments(client, staff, billed_unit):
    """No query per payment on the statement (the reverse offer reads the user's scope once)."""
    login(client, "finance")
    url = reverse("fees:statement", args=[billed_unit.pk])

    def queries_with(n):
        while Payment.objects.count() < n:
            services.payment_post(
                unit=billed_unit, amount="10", method="cash", actor=staff["frontdesk"]
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(1) == queries_with(6)
