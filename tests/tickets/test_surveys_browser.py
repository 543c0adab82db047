"""A resident fills in the satisfaction questionnaire from the signed link on a 360 px phone, in a
real headless Chromium (issue 17, item 3)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import click_and_wait, wait_for_page
from tests.tickets.test_phone_layout_browser import overflow, phone_viewport, widest
from tests.tickets.test_surveys import issued_survey
from tickets.models import SurveyAnswer
from tickets.views.survey_public import survey_url

pytestmark = pytest.mark.browser


def test_a_resident_returns_the_questionnaire_on_a_phone(browser, live_server, estate, staff):
    survey = issued_survey(estate, staff, {"1": 10, "2": 10})
    household = survey.households.select_related("unit").first()
    phone_viewport(browser)
    browser.get(live_server.url + survey_url(household))
    wait_for_page(browser, "[data-testid=survey-form]")
    width, inner = overflow(browser)
    assert width <= inner, widest(browser)
    assert household.unit.code in browser.page_source
    questions = list(survey.template.questions.all())
    chosen = {questions[0].pk: 4, questions[1].pk: 2, questions[2].pk: 9}
    for pk, score in chosen.items():
        radio = browser.find_element(By.CSS_SELECTOR, f"input[name=q_{pk}][value='{score}']")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", radio)
        radio.click()
        assert radio.is_selected()
    browser.find_element(By.NAME, "comment").send_keys("楼道保洁不够及时")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".survey-form button.primary"))
    thanks = wait_for_page(browser, "[data-testid=survey-thanks]")
    assert "谢谢" in thanks.text
    width, inner = overflow(browser)
    assert width <= inner, widest(browser)
    household.refresh_from_db()
    assert household.returned_at is not None and household.channel == "link"
    assert household.comment == "楼道保洁不够及时"
    answers = dict(
        SurveyAnswer.objects.filter(household=household).values_list("question_id", "score")
    )
    assert answers == chosen
    # Opening the link again shows the thanks, not a second form.
    browser.get(live_server.url + survey_url(household))
    wait_for_page(browser, "[data-testid=survey-thanks]")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=survey-form]")
