"""Satisfaction surveys (issue 17, item 3): the sample spread across buildings, the clocks of each
step, the results against a hand computation, and the bad inputs refused with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline, Unit
from tests.factories import BuildingFactory, UnitFactory
from tickets.models import Survey, SurveyAnswer, SurveyHousehold, SurveyLetter
from tickets.rules import surveys as rules
from tickets.selectors import surveys as selectors
from tickets.services import surveys as services

QUESTIONS = [
    {"text": "维修是否及时", "service_line": "repairs"},
    {"text": "公共区域是否清洁", "service_line": "cleaning"},
    {
        "text": "小区是否安全",
        "service_line": "security",
        "min_score": 0,
        "max_score": 10,
        "satisfied_from": 6,
    },
]


def make_households(estate, sizes: dict[str, int]) -> dict[str, list[Unit]]:
    """`sizes`: households (occupied units) per building code."""
    out = {}
    for code, size in sizes.items():
        building = BuildingFactory(estate=estate, code=code)
        out[code] = [
            UnitFactory(building=building, code=f"{code}-1-{100 + i}") for i in range(size)
        ]
    return out


def make_template(estate, actor, questions=QUESTIONS):
    return services.template_create(
        estate=estate, name="半年度满意度调查", questions=questions, actor=actor
    )


def issued_survey(estate, staff, sizes, seed=7):
    make_households(estate, sizes)
    template = make_template(estate, staff["supervisor"])
    survey = services.survey_create(
        estate=estate,
        template_id=template.pk,
        title="2026年下半年",
        actor=staff["frontdesk"],
        seed=seed,
    )
    return services.survey_issue(survey_id=survey.pk, actor=staff["frontdesk"])


def scores_for(survey, *values):
    questions = list(survey.template.questions.all())
    return {q.pk: v for q, v in zip(questions, values, strict=True)}


# --- the sample --------------------------------------------------------------------------------


def test_allocation_keeps_every_building_within_one_household_of_its_share():
    sizes = {"1": 17, "2": 23, "3": 9, "4": 31}
    counts = rules.allocate(sizes, 24)
    assert counts == {"1": 5, "2": 7, "3": 3, "4": 9}
    for sizes in ({"a": 1, "b": 1, "c": 1}, {"a": 40, "b": 3, "c": 3, "d": 7}, {"a": 5}):
        households = sum(sizes.values())
        for percent in (15, 30, 75):
            total = rules.sample_size(households, percent)
            counts = rules.allocate(sizes, total)
            assert sum(counts.values()) == total
            for key, size in sizes.items():
                assert abs(counts[key] - total * size / households) < 1


def test_a_survey_samples_30_percent_spread_across_buildings(estate, staff):
    sizes = {"1": 17, "2": 23, "3": 9, "4": 31}
    make_households(estate, sizes)
    UnitFactory(building__estate=estate, building__code="9", status=Unit.Status.VACANT)
    template = make_template(estate, staff["supervisor"])
    now = timezone.now()
    survey = services.survey_create(
        estate=estate,
        template_id=template.pk,
        title="2026年下半年",
        actor=staff["frontdesk"],
        now=now,
    )
    sample = SurveyHousehold.objects.filter(survey=survey).select_related("unit__building")
    assert survey.sample_percent == 30 and survey.households_total == 80
    assert sample.count() == 24  # 30 % of 80 households, the vacant unit not among them
    per_building = {code: 0 for code in sizes}
    for household in sample:
        assert household.unit.status == Unit.Status.OCCUPIED
        per_building[household.unit.building.code] += 1
    for code, size in sizes.items():
        share = 24 * size / 80
        assert abs(per_building[code] - share) <= 1, (code, per_building[code], share)
    # The questionnaires are due out within 3 days.
    issue = Deadline.objects.for_subject(survey).get(kind=rules.ISSUE)
    assert issue.due_at == timezone.localtime(now) + dt.timedelta(days=3)
    assert issue.met_at is None


def test_an_older_estate_samples_15_percent(estate, staff):
    settings_row = estate.service_settings
    settings_row.delivered_on = timezone.localdate() - dt.timedelta(days=6 * 366)
    settings_row.save()
    survey = issued_survey(estate, staff, {"1": 20, "2": 20})
    assert survey.sample_percent == 15
    assert survey.households.count() == 6  # 15 % of 40
    assert rules.is_older(dt.date(2020, 6, 1), dt.date(2025, 6, 1), 5) is False
    assert rules.is_older(dt.date(2020, 6, 1), dt.date(2025, 6, 2), 5) is True


# --- the steps and their clocks ------------------------------------------------------------------


def test_steps_meet_their_clocks(estate, staff):
    survey = issued_survey(estate, staff, {"1": 10, "2": 10})
    clocks = {d.kind: d for d in Deadline.objects.for_subject(survey)}
    assert clocks[rules.ISSUE].met_at is not None
    assert clocks[rules.RETURN].due_at == survey.issued_at + dt.timedelta(days=10)
    households = list(survey.households.all())
    assert len(households) == 6  # 30 % of 20
    needed = rules.returns_needed(6, 75)
    assert needed == 5
    for number, household in enumerate(households[:needed], start=1):
        services.survey_record_return(
            survey_id=survey.pk,
            unit=household.unit.code,
            scores=scores_for(survey, 5, 4, 9),
            actor=staff["frontdesk"],
        )
        met = Deadline.objects.for_subject(survey).get(kind=rules.RETURN).met_at
        assert (met is not None) == (number == needed)
    services.survey_close(survey_id=survey.pk, actor=staff["frontdesk"])
    results_clock = Deadline.objects.for_subject(survey).get(kind=rules.RESULTS)
    with pytest.raises(NotAllowed):  # the front desk collects; managers publish
        services.survey_publish(survey_id=survey.pk, actor=staff["frontdesk"])
    services.survey_publish(survey_id=survey.pk, actor=staff["supervisor"])
    results_clock.refresh_from_db()
    assert results_clock.met_at is not None
    letter_clock = Deadline.objects.for_subject(survey).get(kind=rules.LETTER)
    assert letter_clock.due_at - letter_clock.started_at == dt.timedelta(days=14)
    services.survey_letter_save(
        survey_id=survey.pk, text="致全体业主的公开信……", actor=staff["supervisor"]
    )
    letter_clock.refresh_from_db()
    assert letter_clock.met_at is not None
    survey.refresh_from_db()
    assert survey.status == Survey.Status.PUBLISHED


def test_a_second_survey_waits_for_the_first_to_publish(estate, staff):
    survey = issued_survey(estate, staff, {"1": 10})
    with pytest.raises(InvalidTransition):
        services.survey_create(
            estate=estate, template_id=survey.template_id, title="又一次", actor=staff["frontdesk"]
        )
    assert Survey.objects.count() == 1


# --- the results, by hand -----------------------------------------------------------------------


def test_results_match_a_hand_computation(estate, staff):
    survey = issued_survey(estate, staff, {"1": 10, "2": 10})
    by_building = {"1": [], "2": []}
    for household in survey.households.select_related("unit__building"):
        by_building[household.unit.building.code].append(household)
    assert [len(v) for v in by_building.values()] == [3, 3]
    a, b = by_building["1"][:2]
    c, d = by_building["2"][:2]
    # repairs 1–5 (satisfied ≥ 3), cleaning 1–5 (≥ 3), security 0–10 (≥ 6)
    for household, values in ((a, (5, 2, 8)), (b, (4, 3, 5)), (c, (3, 1, 10)), (d, (2, 4, 5))):
        services.survey_record_return(
            survey_id=survey.pk,
            unit=household.unit,
            scores=scores_for(survey, *values),
            actor=staff["frontdesk"],
        )
    result = selectors.results(survey)
    q1, q2, q3 = result["questions"]
    # Q1: 5 4 3 2 → 3 of 4 satisfied = 75.0 %, average 14/4 = 3.50
    assert (q1["answers"], q1["satisfied"], q1["rate"], q1["average"]) == (
        4,
        3,
        75.0,
        Decimal("3.50"),
    )
    # Q2: 2 3 1 4 → 2 of 4 = 50.0 %, average 10/4 = 2.50
    assert (q2["satisfied"], q2["rate"], q2["average"]) == (2, 50.0, Decimal("2.50"))
    # Q3: 8 5 10 5 → 2 of 4 (≥ 6) = 50.0 %, average 28/4 = 7.00
    assert (q3["satisfied"], q3["rate"], q3["average"]) == (2, 50.0, Decimal("7.00"))
    # Overall: 7 of 12 answers = 58.3 %, average 52/12 = 4.33
    assert result["overall"]["rate"] == 58.3 and result["overall"]["average"] == Decimal("4.33")
    b1, b2 = result["buildings"]
    # Building 1 (a, b): 5✓ 2✗ 8✓ 4✓ 3✓ 5✗ → 4 of 6 = 66.7 %, 27/6 = 4.50
    assert (b1["sampled"], b1["returned"], b1["rate"], b1["average"]) == (
        3,
        2,
        66.7,
        Decimal("4.50"),
    )
    # Building 2 (c, d): 3✓ 1✗ 10✓ 2✗ 4✓ 5✗ → 3 of 6 = 50.0 %, 25/6 = 4.17
    assert (b2["rate"], b2["average"]) == (50.0, Decimal("4.17"))
    lines = {row["line"]: (row["rate"], row["average"]) for row in result["lines"]}
    assert lines == {
        "repairs": (75.0, Decimal("3.50")),
        "cleaning": (50.0, Decimal("2.50")),
        "security": (50.0, Decimal("7.00")),
    }
    returns = result["returns"]
    assert (returns["sampled"], returns["returned"], returns["return_rate"]) == (6, 4, 66.7)
    # The open letter's draft starts from the lowest-scoring question.
    with translation.override("zh-hans"):
        draft = selectors.letter_draft(survey, result)
    assert (
        draft.index("公共区域是否清洁") < draft.index("小区是否安全") < draft.index("维修是否及时")
    )


# --- bad input: a clear translated error, nothing written ---------------------------------------


def _nothing_written(survey):
    assert not SurveyAnswer.objects.filter(household__survey=survey).exists()
    assert not survey.households.filter(returned_at__isnull=False).exists()


def test_a_score_outside_the_range_is_refused(estate, staff):
    survey = issued_survey(estate, staff, {"1": 10})
    household = survey.households.first()
    security = survey.template.questions.get(position=3)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.survey_record_return(
            survey_id=survey.pk,
            unit=household.unit,
            scores=scores_for(survey, 5, 4, 11),
            actor=staff["frontdesk"],
        )
    message = refused.value.message_dict[f"q_{security.pk}"][0]
    assert "0" in message and "10" in message and "11" in message and "超出" in message
    with pytest.raises(ValidationError):
        services.survey_record_return(
            survey_id=survey.pk,
            unit=household.unit,
            scores=scores_for(survey, 0, 4, 5),
            actor=staff["frontdesk"],
        )
    _nothing_written(survey)


def test_a_household_not_in_the_sample_is_refused(estate, staff):
    survey = issued_survey(estate, staff, {"1": 10})
    outside = Unit.objects.filter(estate=estate).exclude(survey_samples__survey=survey).first()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.survey_record_return(
            survey_id=survey.pk,
            unit=outside.code,
            scores=scores_for(survey, 5, 5, 10),
            actor=staff["frontdesk"],
        )
    assert "样本" in refused.value.message_dict["unit"][0]
    with pytest.raises(ValidationError):
        services.survey_record_return(
            survey_id=survey.pk,
            unit="no-such-unit",
            scores=scores_for(survey, 5, 5, 10),
            actor=staff["frontdesk"],
        )
    _nothing_written(survey)


def test_a_second_return_of_the_same_household_is_refused(estate, staff):
    survey = issued_survey(estate, staff, {"1": 10})
    household = survey.households.first()
    services.survey_return_by_link(household_id=household.pk, scores=scores_for(survey, 5, 5, 10))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.survey_return_by_link(
            household_id=household.pk, scores=scores_for(survey, 1, 1, 0)
        )
    assert "已" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.survey_record_return(
            survey_id=survey.pk,
            unit=household.unit,
            scores=scores_for(survey, 1, 1, 0),
            actor=staff["frontdesk"],
        )
    assert sorted(SurveyAnswer.objects.values_list("score", flat=True)) == [5, 5, 10]


def test_returns_wait_for_the_issue_and_stop_at_the_close(estate, staff):
    make_households(estate, {"1": 10})
    template = make_template(estate, staff["supervisor"])
    survey = services.survey_create(
        estate=estate, template_id=template.pk, title="2026", actor=staff["frontdesk"]
    )
    household = survey.households.first()
    with pytest.raises(InvalidTransition):
        services.survey_return_by_link(
            household_id=household.pk, scores=scores_for(survey, 5, 5, 10)
        )
    services.survey_issue(survey_id=survey.pk, actor=staff["frontdesk"])
    with pytest.raises(InvalidTransition):  # nothing returned yet: nothing to close
        services.survey_close(survey_id=survey.pk, actor=staff["frontdesk"])
    _nothing_written(survey)


def test_a_template_with_a_bad_range_is_refused(estate, staff):
    with pytest.raises(ValidationError):
        make_template(estate, staff["supervisor"], [{"text": "x", "min_score": 5, "max_score": 1}])
    with pytest.raises(NotAllowed):
        make_template(estate, staff["frontdesk"])
    assert not SurveyLetter.objects.exists()


def test_a_forum_is_logged_and_the_next_one_falls_due(estate, staff):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.forum_record(
            estate=estate,
            held_on=today + dt.timedelta(days=1),
            attendee_count=0,
            attendees="",
            minutes="",
            actor=staff["supervisor"],
        )
    assert set(refused.value.message_dict) == {"held_on", "attendee_count", "attendees", "minutes"}
    services.forum_record(
        estate=estate,
        held_on=dt.date(2026, 8, 31),
        attendee_count=12,
        attendees="业委会主任、楼长等",
        minutes="讨论了停车和绿化。",
        actor=staff["supervisor"],
    )
    last = selectors.last_forum_date(estate)
    assert rules.next_forum_due(last, 6, today) == dt.date(2027, 2, 28)
