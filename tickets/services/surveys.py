"""Satisfaction surveys (docs/domain.md, "Satisfaction surveys"): draw the sample, issue it,
record returns (by staff, or by the resident through the signed link), close the returns, publish
the results, write the open letter; log the residents' forums.

Each step stamps its clock: issued within `survey_issue_days` of the draw, `survey_return_percent`
returned within `survey_return_days` of the issue, results within `survey_results_days` of the
close, the open letter within `survey_open_letter_days` of the results.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, may
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.models import Estate, Unit
from propserv.roles import MANAGERS, OFFICE
from tickets.models import (
    ResidentsForum,
    ServiceLine,
    Survey,
    SurveyAnswer,
    SurveyHousehold,
    SurveyLetter,
    SurveyQuestion,
    SurveyTemplate,
)
from tickets.rules import surveys as rules
from tickets.selectors import surveys as selectors

# Who runs a survey (draws, issues, records returns, closes) and who answers for its results.
SURVEY_STAFF = OFFICE
SURVEY_MANAGERS = MANAGERS
MAX_COMMENT = 1000


def allowed_actions(survey: Survey, user) -> set[str]:
    actions: set[str] = set()
    staff = may(user, survey.estate, SURVEY_STAFF)
    managers = may(user, survey.estate, SURVEY_MANAGERS)
    if survey.status == Survey.Status.SAMPLED and staff:
        actions.add("issue")
    if survey.status == Survey.Status.ISSUED and staff:
        actions |= {"return", "close"}
    if survey.status == Survey.Status.CLOSED and managers:
        actions.add("publish")
    if survey.status == Survey.Status.PUBLISHED and managers:
        actions.add("letter")
    return actions


# --- templates --------------------------------------------------------------------------------


def template_create(*, estate, name: str, questions: list[dict], actor) -> SurveyTemplate:
    """A questionnaire template with its questions: dicts of text, service_line, min_score,
    max_score, satisfied_from (the last three optional: 1–5, satisfied from 3)."""
    check_actor(actor, estate=estate, roles=SURVEY_MANAGERS)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the questionnaire a name.")})
    if not questions:
        raise ValidationError(_("A questionnaire needs at least one question."))
    built = []
    for position, spec in enumerate(questions, start=1):
        question = SurveyQuestion(
            position=position,
            text=(spec.get("text") or "").strip(),
            service_line=spec.get("service_line") or ServiceLine.OVERALL,
            min_score=spec.get("min_score", 1),
            max_score=spec.get("max_score", 5),
            satisfied_from=spec.get("satisfied_from", 3),
        )
        if not question.text:
            raise ValidationError(_("Question %(n)s has no text.") % {"n": position})
        if question.service_line not in ServiceLine.values:
            raise ValidationError(
                _("Question %(n)s has an unknown service line.") % {"n": position}
            )
        if not question.min_score < question.max_score or not (
            question.min_score <= question.satisfied_from <= question.max_score
        ):
            raise ValidationError(
                _(
                    "Question %(n)s: the lowest score must be below the highest, and “satisfied "
                    "from” between them."
                )
                % {"n": position}
            )
        built.append(question)
    with transaction.atomic():
        if SurveyTemplate.objects.filter(estate=estate, name=name).exists():
            raise ValidationError(
                {"name": _("This estate already has a questionnaire of this name.")}
            )
        template = SurveyTemplate.objects.create(estate=estate, name=name)
        for question in built:
            question.template = template
        SurveyQuestion.objects.bulk_create(built)
    return template


# --- the survey's steps -----------------------------------------------------------------------


def survey_create(
    *, estate, template_id: int, title: str, actor, now: dt.datetime | None = None, seed=None
) -> Survey:
    """Draw the sample: the estate's share of its households (30 %, or 15 % once the estate is
    older), spread across buildings; the issue clock starts."""
    check_actor(actor, estate=estate, roles=SURVEY_STAFF)
    now = timezone.localtime(now or timezone.now())
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the survey a title, e.g. “2026 second half”.")})
    settings_row = estate.service_settings
    with transaction.atomic():
        # One survey at a time per estate: two draws at once queue on the estate's row.
        Estate.objects.select_for_update().filter(pk=estate.pk).first()
        template = (
            SurveyTemplate.objects.filter(estate=estate, pk=template_id, active=True)
            .select_for_update()
            .first()
        )
        if template is None:
            raise ValidationError({"template": _("Choose one of this estate's questionnaires.")})
        if not template.questions.exists():
            raise ValidationError({"template": _("This questionnaire has no questions.")})
        if Survey.objects.filter(estate=estate).exclude(status=Survey.Status.PUBLISHED).exists():
            raise InvalidTransition(
                _("The estate's current survey must publish its results before another starts.")
            )
        frame = selectors.households_by_building(estate)
        households = sum(len(units) for units in frame.values())
        if not households:
            raise ValidationError(_("The estate has no occupied households to survey."))
        percent = rules.sample_percent(settings_row, now.date())
        seed = secrets.randbelow(2**31) if seed is None else seed
        chosen = rules.draw_sample(frame, percent, seed)
        survey = Survey.objects.create(
            estate=estate,
            template=template,
            title=title[:100],
            sample_percent=percent,
            households_total=households,
            seed=seed,
            created_by=actor,
        )
        SurveyHousehold.objects.bulk_create(
            SurveyHousehold(survey=survey, unit_id=unit_id) for unit_id in chosen
        )
        deadline_open(
            subject=survey,
            estate=estate,
            kind=rules.ISSUE,
            started_at=now,
            rule=rules.issue_rule(settings_row),
        )
    return survey


def _locked(survey_id: int, actor, roles) -> Survey:
    survey = Survey.objects.select_for_update().select_related("estate").get(pk=survey_id)
    check_actor(actor, estate=survey.estate, roles=roles)
    return survey


def survey_issue(*, survey_id: int, actor, now: dt.datetime | None = None) -> Survey:
    """The questionnaires are out: the issue clock is met, the returns clock starts."""
    now = timezone.localtime(now or timezone.now())
    with transaction.atomic():
        survey = _locked(survey_id, actor, SURVEY_STAFF)
        if survey.status != Survey.Status.SAMPLED:
            raise InvalidTransition(_("These questionnaires are already issued."))
        settings_row = survey.estate.service_settings
        survey.status = Survey.Status.ISSUED
        survey.issued_at = now
        survey.returns_due_at = now + dt.timedelta(days=settings_row.survey_return_days)
        survey.save(update_fields=["status", "issued_at", "returns_due_at"])
        deadline_meet(subject=survey, kind=rules.ISSUE, at=now)
        deadline_open(
            subject=survey,
            estate=survey.estate,
            kind=rules.RETURN,
            started_at=now,
            rule=rules.return_rule(settings_row),
        )
    return survey


def _check_scores(survey: Survey, scores: dict) -> list[SurveyAnswer]:
    """One answer per question of the questionnaire, each inside the question's range."""
    answers, errors = [], {}
    for question in survey.template.questions.all():
        field = f"q_{question.pk}"
        raw = scores.get(question.pk, scores.get(str(question.pk)))
        try:
            score = int(raw)
        except (TypeError, ValueError):
            errors[field] = _("Answer question %(n)s.") % {"n": question.position}
            continue
        if not question.min_score <= score <= question.max_score:
            errors[field] = _(
                "Question %(n)s is scored from %(low)s to %(high)s; %(score)s is outside it."
            ) % {
                "n": question.position,
                "low": question.min_score,
                "high": question.max_score,
                "score": score,
            }
            continue
        answers.append(SurveyAnswer(question=question, score=score))
    if errors:
        raise ValidationError(errors)
    return answers


def _record(household: SurveyHousehold, scores: dict, comment: str, *, by, channel, now):
    survey = household.survey
    if household.returned_at is not None:
        raise ValidationError(
            _("This questionnaire was already returned on %(at)s; a return counts once.")
            % {"at": timezone.localtime(household.returned_at).strftime("%Y-%m-%d %H:%M")}
        )
    if survey.status != Survey.Status.ISSUED:
        raise InvalidTransition(_("This survey is not collecting returns."))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("Keep the comment under 1,000 characters.")})
    answers = _check_scores(survey, scores)
    for answer in answers:
        answer.household = household
    SurveyAnswer.objects.bulk_create(answers)
    household.returned_at = now
    household.returned_by = by
    household.channel = channel
    household.comment = comment
    household.save(update_fields=["returned_at", "returned_by", "channel", "comment"])
    returned = SurveyHousehold.objects.filter(survey=survey, returned_at__isnull=False).count()
    sampled = SurveyHousehold.objects.filter(survey=survey).count()
    percent = survey.estate.service_settings.survey_return_percent
    if returned >= rules.returns_needed(sampled, percent):
        deadline_meet(subject=survey, kind=rules.RETURN, at=now)
    return household


def survey_record_return(
    *, survey_id: int, unit, scores: dict, comment: str = "", actor, now=None
) -> SurveyHousehold:
    """A paper questionnaire typed in by staff. `unit`: a Unit or its code."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = _locked(survey_id, actor, SURVEY_STAFF)
        if not isinstance(unit, Unit):
            unit = Unit.in_estate(survey.estate, str(unit or ""))
        household = (
            SurveyHousehold.objects.select_for_update().filter(survey=survey, unit=unit).first()
            if unit is not None and unit.estate_id == survey.estate_id
            else None
        )
        if household is None:
            raise ValidationError(
                {
                    "unit": _(
                        "This household is not in the survey's sample; its return cannot count."
                    )
                }
            )
        household.survey = survey
        return _record(household, scores, comment, by=actor, channel="staff", now=now)


def survey_return_by_link(
    *, household_id: int, scores: dict, comment: str = "", now=None
) -> SurveyHousehold:
    """The resident's own return through the signed link (no login: the link is the proof)."""
    now = now or timezone.now()
    with transaction.atomic():
        household = (
            SurveyHousehold.objects.select_for_update()
            .select_related("survey", "survey__estate", "survey__template")
            .get(pk=household_id)
        )
        return _record(household, scores, comment, by=None, channel="link", now=now)


def survey_close(*, survey_id: int, actor, now: dt.datetime | None = None) -> Survey:
    """No more returns: the results clock starts."""
    now = timezone.localtime(now or timezone.now())
    with transaction.atomic():
        survey = _locked(survey_id, actor, SURVEY_STAFF)
        if survey.status != Survey.Status.ISSUED:
            raise InvalidTransition(_("Only a survey collecting returns can be closed."))
        if not survey.households.filter(returned_at__isnull=False).exists():
            raise InvalidTransition(_("No questionnaire has been returned yet."))
        survey.status = Survey.Status.CLOSED
        survey.closed_at = now
        survey.save(update_fields=["status", "closed_at"])
        deadline_cancel(subject=survey, kind=rules.RETURN, at=now)
        deadline_open(
            subject=survey,
            estate=survey.estate,
            kind=rules.RESULTS,
            started_at=now,
            rule=rules.results_rule(survey.estate.service_settings),
        )
    return survey


def survey_publish(*, survey_id: int, actor, now: dt.datetime | None = None) -> Survey:
    """The results go to the quality department: the open letter's clock starts."""
    now = timezone.localtime(now or timezone.now())
    with transaction.atomic():
        survey = _locked(survey_id, actor, SURVEY_MANAGERS)
        if survey.status != Survey.Status.CLOSED:
            raise InvalidTransition(_("Close the returns before publishing the results."))
        survey.status = Survey.Status.PUBLISHED
        survey.published_at = now
        survey.published_by = actor
        survey.save(update_fields=["status", "published_at", "published_by"])
        deadline_meet(subject=survey, kind=rules.RESULTS, at=now)
        deadline_open(
            subject=survey,
            estate=survey.estate,
            kind=rules.LETTER,
            started_at=now,
            rule=rules.letter_rule(survey.estate.service_settings),
        )
    return survey


def survey_letter_save(*, survey_id: int, text: str, actor, now=None) -> SurveyLetter:
    """A version of the open letter (公开信); the first one meets the letter's clock."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the letter first.")})
    with transaction.atomic():
        survey = _locked(survey_id, actor, SURVEY_MANAGERS)
        if survey.status != Survey.Status.PUBLISHED:
            raise InvalidTransition(_("The open letter follows the published results."))
        letter = SurveyLetter.objects.create(survey=survey, text=text, written_by=actor)
        deadline_meet(subject=survey, kind=rules.LETTER, at=now)
    return letter


# --- residents' forums ------------------------------------------------------------------------


def forum_record(
    *, estate, held_on: dt.date, attendee_count: int, attendees: str, minutes: str, actor, now=None
) -> ResidentsForum:
    check_actor(actor, estate=estate, roles=SURVEY_STAFF)
    today = timezone.localdate(now) if now else timezone.localdate()
    errors = {}
    if held_on is None or held_on > today:
        errors["held_on"] = _(
            "A forum is logged once it has been held: the date cannot be later than today."
        )
    if not attendee_count or attendee_count < 1:
        errors["attendee_count"] = _("A forum has at least one attendee.")
    if not (attendees or "").strip():
        errors["attendees"] = _("List who attended.")
    if not (minutes or "").strip():
        errors["minutes"] = _("Write the minutes.")
    if errors:
        raise ValidationError(errors)
    return ResidentsForum.objects.create(
        estate=estate,
        held_on=held_on,
        attendee_count=attendee_count,
        attendees=attendees.strip(),
        minutes=minutes.strip(),
        recorded_by=actor,
    )
