"""The satisfaction-survey card: the latest survey's satisfaction against the estate's target and
its return rate against `survey_return_percent` (docs/domain.md, "Satisfaction surveys").

"Latest" is, per estate, the last survey issued before the period's end; its "previous" value is
the last one issued before the period's start. Satisfied answers = scored at or above their
question's "satisfied from" score (tickets.selectors.surveys). Returned on time = by the survey's
`returns_due_at`. One statement.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.registry import Kpi, KpiCard
from tickets.kpis import common

_LATEST = """
    SELECT DISTINCT ON (s.estate_id) s.id, s.returns_due_at
    FROM tickets_survey s
    WHERE s.estate_id = ANY(%(estates)s) AND s.issued_at IS NOT NULL AND s.issued_at < {before}
    ORDER BY s.estate_id, s.issued_at DESC, s.id DESC
"""
_FIGURES = """
    SELECT '{bucket}' AS bucket,
        (SELECT count(*) FROM tickets_surveyhousehold h
         WHERE h.survey_id IN (SELECT id FROM {cte})) AS sampled,
        (SELECT count(*) FROM tickets_surveyhousehold h JOIN {cte} l ON l.id = h.survey_id
         WHERE h.returned_at IS NOT NULL AND h.returned_at <= l.returns_due_at) AS returned,
        (SELECT count(*) FROM tickets_surveyanswer a
         JOIN tickets_surveyhousehold h ON h.id = a.household_id
         WHERE h.survey_id IN (SELECT id FROM {cte})) AS answers,
        (SELECT count(*) FROM tickets_surveyanswer a
         JOIN tickets_surveyhousehold h ON h.id = a.household_id
         JOIN tickets_surveyquestion q ON q.id = a.question_id
         WHERE h.survey_id IN (SELECT id FROM {cte}) AND a.score >= q.satisfied_from) AS satisfied
"""
SQL = (
    "WITH cur AS ("
    + _LATEST.format(before="%(end)s")
    + "), prev AS ("
    + _LATEST.format(before="%(start)s")
    + ")"
    + _FIGURES.format(bucket=common.CURRENT, cte="cur")
    + " UNION ALL "
    + _FIGURES.format(bucket=common.PREVIOUS, cte="prev")
)  # nosec B608 — only module constants are formatted in; values are parameters


def aggregate(estate_ids: list[int], period) -> tuple[dict, dict]:
    return common.by_bucket(common.fetch_dicts(SQL, common.period_params(period, estate_ids)))


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    cur, prev = aggregate(estate_ids, period)
    goal = common.targets(
        estate_ids, higher=["satisfaction_target_percent", "survey_return_percent"]
    )
    url = common.list_url("tickets:survey-list", estate_ids)
    kpis = (
        Kpi(
            "survey_satisfaction",
            _("Satisfaction in the latest survey"),
            common.rate(cur.get("satisfied", 0), cur.get("answers", 0)),
            common.rate(prev.get("satisfied", 0), prev.get("answers", 0)),
            target=goal["satisfaction_target_percent"],
            unit="%",
            url=url,
        ),
        Kpi(
            "survey_returned",
            _("Questionnaires returned on time"),
            common.rate(cur.get("returned", 0), cur.get("sampled", 0)),
            common.rate(prev.get("returned", 0), prev.get("sampled", 0)),
            target=goal["survey_return_percent"],
            unit="%",
            url=url,
        ),
    )
    return [KpiCard("surveys", _("Satisfaction surveys"), kpis=kpis, order=35)]
