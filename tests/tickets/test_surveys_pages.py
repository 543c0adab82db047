"""Satisfaction surveys through the pages: the staff screens, the resident's signed link (once per
household, rate-limited), the results printed and exported, the dashboard's survey card."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import time
import types

import django_ratelimit.core
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from propserv.dashboard.period import days_period
from tests.tickets.test_surveys import issued_survey, make_households, make_template, scores_for
from tickets.kpis import surveys as survey_kpis
from tickets.models import Survey, SurveyAnswer, SurveyHousehold
from tickets.services import surveys as services
from tickets.views.survey_public import survey_url

_ips = itertools.count(1)


def resident_phone() -> Client:
    """A resident's phone: no login, an address of its own."""
    n = next(_ips)
    return Client(REMOTE_ADDR=f"10.217.{n // 256 % 256}.{n % 256}")


@pytest.fixture
def frozen_rate_clock(monkeypatch):
    """The limits count in fixed windows; a test must not straddle a window's end."""
    frozen = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: frozen))


def form_data(survey, *values, comment=""):
    return {f"q_{pk}": v for pk, v in scores_for(survey, *values).items()} | {"comment": comment}


def test_staff_draw_issue_and_record_a_return_on_the_pages(client, estate, staff):
    make_households(estate, {"1": 10, "2": 10})
    template = make_template(estate, staff["supervisor"])
    client.force_login(staff["frontdesk"])
    page = client.get(reverse("tickets:survey-list"))
    assert page.status_code == 200 and "满意度调查" in page.content.decode()
    response = client.post(
        reverse("tickets:survey-new") + f"?estate={estate.code}",
        {"template": template.pk, "title": "2026年下半年"},
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == survey.get_absolute_url()
    assert survey.households.count() == 6
    issue = reverse("tickets:survey-action", args=[survey.pk, "issue"])
    assert client.post(issue).status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.ISSUED
    household = survey.households.select_related("unit").first()
    url = reverse("tickets:survey-action", args=[survey.pk, "return"])
    bad = client.post(url, {"unit": household.unit.code, **form_data(survey, 6, 3, 5)})
    assert bad.status_code == 400
    assert "超出范围" in bad.content.decode()
    assert not SurveyAnswer.objects.exists()
    stranger = (
        SurveyHousehold._meta.get_field("unit")
        .related_model.objects.exclude(survey_samples__survey=survey)
        .first()
    )
    outside = client.post(url, {"unit": stranger.code, **form_data(survey, 5, 3, 5)})
    assert outside.status_code == 400 and "不在本次调查的抽样样本中" in outside.content.decode()
    ok = client.post(url, {"unit": household.unit.code, **form_data(survey, 5, 3, 5)})
    assert ok.status_code == 302
    household.refresh_from_db()
    assert household.channel == "staff" and household.returned_by == staff["frontdesk"]
    detail = client.get(survey.get_absolute_url()).content.decode()
    assert "已回收 1 / 6 份（需 5 份）" in detail
    assert survey_url(household) in detail  # the link to hand the resident


def test_the_resident_returns_once_through_the_signed_link(estate, staff, frozen_rate_clock):
    survey = issued_survey(estate, staff, {"1": 10})
    household = survey.households.first()
    phone = resident_phone()
    url = survey_url(household)
    page = phone.get(url)
    assert page.status_code == 200 and 'type="radio"' in page.content.decode()
    tampered = url.replace(household.code, household.code[:-1] + "x")
    assert phone.get(tampered).status_code == 404
    response = phone.post(url, form_data(survey, 5, 4, 9, comment="保安很负责"))
    assert response.status_code == 302 and response.url.endswith("?done=1")
    household.refresh_from_db()
    assert household.channel == "link" and household.returned_by is None
    assert household.comment == "保安很负责"
    again = phone.post(url, form_data(survey, 1, 1, 0))
    assert again.status_code == 400
    assert "每份问卷只计一次" in again.content.decode()
    assert sorted(SurveyAnswer.objects.values_list("score", flat=True)) == [4, 5, 9]
    assert "谢谢" in phone.get(url).content.decode()


def test_the_resident_link_refuses_a_score_out_of_range(estate, staff, frozen_rate_clock):
    survey = issued_survey(estate, staff, {"1": 10})
    household = survey.households.first()
    response = resident_phone().post(survey_url(household), form_data(survey, 5, 4, 12))
    assert response.status_code == 400  # a value no radio offers: the form refuses it
    assert not SurveyAnswer.objects.exists()
    household.refresh_from_db()
    assert household.returned_at is None


def test_the_resident_link_is_rate_limited(estate, staff, frozen_rate_clock, settings):
    settings.TICKETS_PUBLIC_RATES = ("2/m", "20/h")
    survey = issued_survey(estate, staff, {"1": 20})
    first, second, third = survey.households.all()[:3]
    phone = resident_phone()
    assert phone.post(survey_url(first), form_data(survey, 5, 5, 10)).status_code == 302
    assert phone.post(survey_url(second), form_data(survey, 5, 5, 10)).status_code == 302
    limited = phone.post(survey_url(third), form_data(survey, 5, 5, 10))
    assert limited.status_code == 429 and "请稍候" in limited.content.decode()
    third.refresh_from_db()
    assert third.returned_at is None
    assert resident_phone().post(survey_url(third), form_data(survey, 5, 5, 10)).status_code == 302


def _returned_and_published(estate, staff):
    survey = issued_survey(estate, staff, {"1": 10, "2": 10})
    households = list(survey.households.all())
    for household, values in zip(
        households, [(5, 2, 8), (4, 3, 5), (3, 1, 10), (2, 4, 5)], strict=False
    ):
        services.survey_return_by_link(
            household_id=household.pk, scores=scores_for(survey, *values)
        )
    services.survey_close(survey_id=survey.pk, actor=staff["frontdesk"])
    return services.survey_publish(survey_id=survey.pk, actor=staff["supervisor"])


def test_results_print_pdf_and_xlsx(client, estate, staff):
    survey = _returned_and_published(estate, staff)
    client.force_login(staff["quality"])
    url = reverse("tickets:survey-results", args=[survey.pk])
    html = client.get(url)
    assert html.status_code == 200 and "客户满意率统计表" in html.content.decode()
    assert "58.3%" in html.content.decode()
    pdf = client.get(url + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(url + "?format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["调查汇总", "按题目", "按楼栋", "按服务项目"]
    sheet = book["按服务项目"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows == [
        ["报修", 4, 3, 75, 3.5],
        ["保洁部", 4, 2, 50, 2.5],
        ["秩序维护部（保安）", 4, 2, 50, 7],
    ]


def test_the_open_letter_is_drafted_and_saved_on_the_page(client, estate, staff):
    survey = _returned_and_published(estate, staff)
    client.force_login(staff["supervisor"])
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "尊敬的各位住户" in page and "公共区域是否清洁" in page
    url = reverse("tickets:survey-action", args=[survey.pk, "letter"])
    assert client.post(url, {"text": "   "}).status_code == 400
    assert not survey.letters.exists()
    assert client.post(url, {"text": "致全体住户：保洁将增加频次。"}).status_code == 302
    letter_page = client.get(reverse("tickets:survey-letter", args=[survey.pk]))
    assert "保洁将增加频次" in letter_page.content.decode()


def test_a_forum_is_logged_on_the_page(client, estate, staff):
    client.force_login(staff["supervisor"])
    url = reverse("tickets:forum-new") + f"?estate={estate.code}"
    refused = client.post(
        url, {"held_on": "2999-01-01", "attendee_count": 3, "attendees": "楼长", "minutes": "x"}
    )
    assert refused.status_code == 400 and "不能晚于今天" in refused.content.decode()
    assert (
        client.post(
            url,
            {
                "held_on": "2026-09-01",
                "attendee_count": 3,
                "attendees": "楼长",
                "minutes": "停车问题",
            },
        ).status_code
        == 302
    )
    assert "停车问题" in client.get(reverse("tickets:survey-list")).content.decode()


def test_the_dashboard_card_shows_the_latest_survey(client, estate, staff):
    survey = _returned_and_published(estate, staff)
    today = timezone.localdate()
    period = days_period(today - dt.timedelta(days=29), today)
    (card,) = survey_kpis.compute(staff["project_manager"], [estate.pk], period)
    figures = {k.key: k for k in card.kpis}
    # 7 of 12 answers satisfied; 4 of 6 sampled households returned before the due time.
    assert figures["survey_satisfaction"].value == 58.3
    assert figures["survey_satisfaction"].target == 95
    assert figures["survey_satisfaction"].misses_target
    assert figures["survey_returned"].value == 66.7 and figures["survey_returned"].target == 75
    assert figures["survey_returned"].previous is None  # no survey before the period
    client.force_login(staff["project_manager"])
    assert "最近一次调查满意率" in client.get(reverse("dashboard")).content.decode()
    assert survey.estate_id == estate.pk
