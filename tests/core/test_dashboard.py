"""The dashboard page, its refresh fragment, the API, the exports and the monthly report, on the
hand-built month of tests/tickets/kpi_dataset.py (November 2026, asked for as a custom period)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.tickets import kpi_dataset as data
from tickets.demo import ensure_reference_data

NOVEMBER = "period=custom&from=2026-11-01&to=2026-11-30"
CHARTS = (
    "repairs_received_daily",
    "repairs_on_time_daily",
    "repairs_by_category",
    "arrival_minutes",
)


@pytest.fixture
def dataset(estate, unit, staff):
    ensure_reference_data(estate)
    categories = {c.code: c for c in estate.repair_categories.all()}
    return data.build(estate, unit, staff, categories)


def client_for(user, language="en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_managers_land_on_the_dashboard_and_the_desk_keeps_its_home(staff):
    for role in ("supervisor", "project_manager", "quality", "gm"):
        response = client_for(staff[role]).get(reverse("home"))
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client_for(staff["frontdesk"]).get(reverse("home")).status_code == 200
    assert client_for(staff["frontdesk"]).get(reverse("dashboard")).status_code == 403
    assert client_for(staff["technician"]).get(reverse("dashboard-cards")).status_code == 403


@pytest.mark.django_db
def test_page_shows_each_figure_beside_the_previous_and_says_below_target(staff, dataset):
    response = client_for(staff["project_manager"]).get(f"{reverse('dashboard')}?{NOVEMBER}")
    assert response.status_code == 200
    html = response.content.decode()
    urgent = html.split('data-kpi="repairs.urgent_arrival"')[1].split("</div>")[0]
    assert "Below target (≥ 99%)" in urgent  # in words, not colour alone
    assert 'class="kpi miss"' in html.split('data-kpi="repairs.urgent_arrival"')[0][-40:]
    received = html.split('data-kpi="repairs.received"')[1].split("</div>")[0]
    assert ">6</a>" in received and "before: 1" in received
    assert "Below target" not in received
    for chart in CHARTS:
        assert f'<title id="{chart}-title">' in html
    assert "<title" in html and "15 min (urgent)" in html
    assert 'data-refresh-url="/dashboard/cards/?' in html and "dashboard.js" in html


@pytest.mark.django_db
def test_fragment_is_the_cards_only(staff, dataset):
    response = client_for(staff["project_manager"]).get(f"{reverse('dashboard-cards')}?{NOVEMBER}")
    html = response.content.decode()
    assert 'data-kpi="repairs.received"' in html and "<html" not in html


@pytest.mark.django_db
def test_bad_custom_period_is_refused_with_a_message(staff, dataset):
    client = client_for(staff["project_manager"])
    response = client.get(f"{reverse('dashboard')}?period=custom&from=2026-11-30&to=2026-11-01")
    assert "The last day of the period is before its first day." in response.content.decode()
    api = client.get("/api/v1/dashboard/?period=custom&from=2026-11-30&to=2026-11-01")
    assert api.status_code == 400 and api.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_api_has_the_same_figures_for_the_callers_estates(estate, other_estate, staff, dataset):
    client = client_for(staff["project_manager"])
    body = client.get(f"/api/v1/dashboard/?{NOVEMBER}").json()
    assert body["estates"] == [estate.pk]
    assert body["period"]["first_day"] == "2026-11-01"
    cards = {c["key"]: c for c in body["cards"]}
    assert set(cards) >= {"now", "repairs", "callbacks", "complaints", "keys", "renovations"}
    kpis = {k["key"]: k for k in cards["repairs"]["kpis"]}
    assert kpis["received"]["value"] == 6 and kpis["received"]["previous"] == 1
    assert kpis["urgent_arrival"]["misses_target"] is True
    # An estate the caller does not cover is ignored: the figures stay theirs.
    other = client.get(f"/api/v1/dashboard/?{NOVEMBER}&estate={other_estate.pk}").json()
    assert other["estates"] == [estate.pk]
    assert client_for(staff["frontdesk"]).get("/api/v1/dashboard/").status_code == 403
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/dashboard/" in schema and "misses_target" in schema


@pytest.mark.django_db
def test_xlsx_export_has_numbers_as_numbers_and_headings_in_the_readers_language(staff, dataset):
    client = client_for(staff["project_manager"], language="zh-hans")
    response = client.get(f"{reverse('dashboard-export')}?{NOVEMBER}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    heading_index = next(i for i, row in enumerate(rows) if row and row[1] == "指标")
    figures = {row[1]: row for row in rows[heading_index + 1 :]}
    received = next(row for label, row in figures.items() if label and "收到的报修" in label)
    assert received[2] == 6 and isinstance(received[2], int) and received[3] == 1
    urgent = next(row for label, row in figures.items() if label and "急修" in label)
    # R1 on time; R2 late; R7 late too by now (its 15 minutes ran out on 20 November)
    assert urgent[2] == 33.3 and isinstance(urgent[2], float) and urgent[4] == 99
    titles = [ws.title for ws in book.worksheets]
    assert len(titles) >= 4  # the figures, then the cards' tables


@pytest.mark.django_db
def test_csv_export(staff, dataset):
    response = client_for(staff["project_manager"]).get(
        f"{reverse('dashboard-export')}?{NOVEMBER}&format=csv"
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [
        "Card",
        "Figure",
        "Value",
        "Previous period",
        "Target",
        "Unit of measure",
        "Against the target",
    ] in rows
    assert any(row[1] == "Repairs received" and row[2] == "6" for row in rows if len(row) > 2)


@pytest.mark.django_db
def test_monthly_report_print_view_and_pdf_with_chinese(estate, staff, dataset, tmp_path):
    client = client_for(staff["project_manager"], language="zh-hans")
    url = reverse("dashboard-report", args=[estate.pk, "2026-11"])
    html = client.get(url).content.decode()
    assert "月度服务报告" in html and "翠湖花园" in html
    for chart in CHARTS:
        assert f'<title id="{chart}-title">' in html
    response = client.get(f"{url}?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page-*.png"))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("月度服务报告", "翠湖花园", "2026-11"):
        assert words in text
    other = client_for(staff["frontdesk"]).get(url)
    assert other.status_code == 403
