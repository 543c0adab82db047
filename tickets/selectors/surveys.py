"""Reads of satisfaction surveys: the estate's households by building (the sampling frame), a
survey's returns and its results by question, building and service line, and the open letter's
draft from the lowest-scoring questions (docs/domain.md, "Satisfaction surveys").

Satisfaction of a group of answers = answers scored at or above their question's "satisfied
from" score ÷ answers, as a percentage with one decimal; the average score has two decimals.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max, Q, Sum
from django.utils.translation import gettext as _

from propserv.models import Building, Unit
from tickets.models import (
    ResidentsForum,
    ServiceLine,
    Survey,
    SurveyAnswer,
    SurveyHousehold,
    SurveyTemplate,
)
from tickets.rules import surveys as rules

LOWEST_IN_LETTER = 3


def surveys_for(user):
    return Survey.objects.for_user(user).select_related("estate", "template")


def templates_of(estate):
    return SurveyTemplate.objects.filter(estate=estate, active=True).order_by("name")


def households_by_building(estate) -> dict[int, list[int]]:
    """{building id: [unit ids]} of the estate's households (occupied units), buildings in code
    order."""
    frame: dict[int, list[int]] = defaultdict(list)
    rows = (
        Unit.objects.filter(estate=estate, status=Unit.Status.OCCUPIED)
        .order_by("building__code", "building_id", "code")
        .values_list("building_id", "pk")
    )
    for building_id, unit_id in rows:
        frame[building_id].append(unit_id)
    return dict(frame)


def _average(total, answers) -> Decimal | None:
    if not answers:
        return None
    return (Decimal(total) / Decimal(answers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _figures(row: dict) -> dict:
    return {
        "answers": row["answers"],
        "satisfied": row["satisfied"],
        "rate": rules.rate(row["satisfied"], row["answers"]),
        "average": _average(row["total"] or 0, row["answers"]),
    }


AGGREGATES = {
    "answers": Count("pk"),
    "satisfied": Count("pk", filter=Q(score__gte=F("question__satisfied_from"))),
    "total": Sum("score"),
}


def returns_summary(survey: Survey) -> dict:
    households = SurveyHousehold.objects.filter(survey=survey)
    counts = households.aggregate(
        sampled=Count("pk"),
        returned=Count("pk", filter=Q(returned_at__isnull=False)),
        on_time=Count(
            "pk", filter=Q(returned_at__isnull=False, returned_at__lte=F("survey__returns_due_at"))
        ),
    )
    percent = survey.estate.service_settings.survey_return_percent
    counts["needed"] = rules.returns_needed(counts["sampled"], percent)
    counts["target"] = percent
    counts["return_rate"] = rules.rate(counts["returned"], counts["sampled"])
    counts["on_time_rate"] = rules.rate(counts["on_time"], counts["sampled"])
    return counts


def results(survey: Survey) -> dict:
    """Satisfaction overall, by question, by building and by service line (four statements, plus
    the questions and the buildings)."""
    answers = SurveyAnswer.objects.filter(household__survey=survey)
    overall = answers.aggregate(**AGGREGATES)
    by_question = {
        r["question_id"]: r for r in answers.values("question_id").annotate(**AGGREGATES)
    }
    by_building = {
        r["household__unit__building_id"]: r
        for r in answers.values("household__unit__building_id").annotate(**AGGREGATES)
    }
    by_line = {
        r["question__service_line"]: r
        for r in answers.values("question__service_line").annotate(**AGGREGATES)
    }
    sampled = defaultdict(lambda: [0, 0])
    for building_id, returned in SurveyHousehold.objects.filter(survey=survey).values_list(
        "unit__building_id", "returned_at"
    ):
        sampled[building_id][0] += 1
        sampled[building_id][1] += returned is not None
    questions = [
        {"question": q, **_figures(by_question.get(q.pk, _EMPTY))}
        for q in survey.template.questions.all()
    ]
    buildings = [
        {
            "building": b,
            "sampled": sampled[b.pk][0],
            "returned": sampled[b.pk][1],
            **_figures(by_building.get(b.pk, _EMPTY)),
        }
        for b in Building.objects.filter(pk__in=list(sampled)).order_by("code")
    ]
    lines = [
        {"line": value, "label": label, **_figures(by_line[value])}
        for value, label in ServiceLine.choices
        if value in by_line
    ]
    return {
        "overall": _figures(overall),
        "questions": questions,
        "buildings": buildings,
        "lines": lines,
        "returns": returns_summary(survey),
    }


_EMPTY = {"answers": 0, "satisfied": 0, "total": 0}


def lowest_questions(result: dict, count: int = LOWEST_IN_LETTER) -> list[dict]:
    answered = [q for q in result["questions"] if q["answers"]]
    answered.sort(key=lambda q: (q["rate"], q["average"], q["question"].position))
    return answered[:count]


def letter_draft(survey: Survey, result: dict) -> str:
    """The open letter's first draft, in the reader's language: the turnout, the overall
    satisfaction and the lowest-scoring questions, each with a line for the answer to write."""
    returns = result["returns"]
    lines = [
        _("Dear residents,"),
        "",
        _(
            "Thank you for taking part in our satisfaction survey “%(title)s”: %(returned)s of "
            "%(sampled)s households returned the questionnaire, and %(rate)s%% of the answers "
            "were satisfied."
        )
        % {
            "title": survey.title,
            "returned": returns["returned"],
            "sampled": returns["sampled"],
            "rate": result["overall"]["rate"] if result["overall"]["rate"] is not None else "—",
        },
        "",
        _("You told us where we must do better:"),
    ]
    for number, row in enumerate(lowest_questions(result), start=1):
        question = row["question"]
        lines.append(
            _("%(number)s. %(question)s (%(line)s): %(rate)s%% satisfied, average %(average)s.")
            % {
                "number": number,
                "question": question.text,
                "line": question.get_service_line_display(),
                "rate": row["rate"],
                "average": row["average"],
            }
        )
        lines.append(_("What we are doing about it: "))
    lines += ["", _("Your property service centre")]
    return "\n".join(lines)


def latest_letter(survey: Survey):
    return survey.letters.select_related("written_by").first()


def forums_of(estate, limit: int = 10):
    return ResidentsForum.objects.filter(estate=estate).select_related("recorded_by")[:limit]


def last_forum_date(estate):
    return ResidentsForum.objects.filter(estate=estate).aggregate(last=Max("held_on"))["last"]


def sample_rows(survey: Survey):
    return (
        SurveyHousehold.objects.filter(survey=survey)
        .select_related("unit", "unit__building", "returned_by")
        .order_by("unit__building__code", "unit__code")
    )
