"""Demo satisfaction survey for `make run` (called by tickets.demo.seed): the estate's standard
questionnaire, last half-year's survey issued, mostly returned, published with its open letter,
and a residents' forum — so the survey pages and the dashboard's survey card have something real
to show. Runs once per estate."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from tickets.models import ResidentsForum, Survey, SurveyTemplate
from tickets.selectors import surveys as selectors
from tickets.services import surveys as services

STANDARD_QUESTIONS = [
    {"text": "报修响应是否及时、维修质量是否满意", "service_line": "repairs"},
    {"text": "楼道、电梯及公共区域的保洁", "service_line": "cleaning"},
    {"text": "门岗、巡逻与小区秩序", "service_line": "security"},
    {"text": "客服中心的接待与投诉处理", "service_line": "customer_service"},
    {"text": "绿化养护", "service_line": "landscaping"},
    {"text": "电梯、门禁等设施设备运行", "service_line": "facilities"},
    {"text": "对物业服务的总体评价", "service_line": "overall"},
]


def seed_surveys(estate) -> None:
    User = get_user_model()
    supervisor = User.objects.filter(username="supervisor").first()
    frontdesk = User.objects.filter(username="frontdesk").first()
    if supervisor is None or frontdesk is None or Survey.objects.filter(estate=estate).exists():
        return
    if not selectors.households_by_building(estate):
        return
    template = SurveyTemplate.objects.filter(estate=estate).first() or services.template_create(
        estate=estate, name="半年度客户满意度调查", questions=STANDARD_QUESTIONS, actor=supervisor
    )
    now = timezone.now()
    start = now - dt.timedelta(days=40)
    survey = services.survey_create(
        estate=estate,
        template_id=template.pk,
        title=f"{timezone.localdate(start):%Y}年满意度调查",
        actor=frontdesk,
        now=start,
        seed=7,
    )
    services.survey_issue(survey_id=survey.pk, actor=frontdesk, now=start + dt.timedelta(days=2))
    rng = random.Random(7)
    questions = list(template.questions.all())
    households = list(survey.households.select_related("unit"))
    for i, household in enumerate(households[: max(1, len(households) * 4 // 5)]):
        scores = {
            q.pk: rng.choice([3, 4, 4, 5, 5, 5] if i % 6 else [1, 2, 3, 4]) for q in questions
        }
        services.survey_record_return(
            survey_id=survey.pk,
            unit=household.unit,
            scores=scores,
            actor=frontdesk,
            now=start + dt.timedelta(days=3 + i % 7),
        )
    services.survey_close(survey_id=survey.pk, actor=frontdesk, now=start + dt.timedelta(days=12))
    services.survey_publish(
        survey_id=survey.pk, actor=supervisor, now=start + dt.timedelta(days=14)
    )
    services.survey_letter_save(
        survey_id=survey.pk,
        text=selectors.letter_draft(survey, selectors.results(survey)),
        actor=supervisor,
        now=start + dt.timedelta(days=20),
    )
    if not ResidentsForum.objects.filter(estate=estate).exists():
        services.forum_record(
            estate=estate,
            held_on=timezone.localdate(start + dt.timedelta(days=25)),
            attendee_count=14,
            attendees="业主委员会委员、各楼栋楼长、住户代表",
            minutes="通报满意度调查结果；住户反映地下车库照明与保洁频次，物业承诺两周内整改。",
            actor=supervisor,
        )
