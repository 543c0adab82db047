"""The complaints card: grade × category, replied within 4 working days, replies overdue now,
the effective-complaint rate per household, repeats.

A complaint belongs to the period in which it was received. Its reply is judged by its
`complaint.reply` clock as the complaint list judges it (`tickets.selectors.timeliness`), worst
first: overdue = still open past due; late = replied after it; on time = replied in time;
cancelled clocks count as neither. The rate is the
period's effective complaints (major, important, minor) per 1,000 occupied households
(docs/domain.md, "Complaints"). One statement.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.exports import Column, Table
from propserv.registry import Kpi, KpiCard
from tickets.kpis import common
from tickets.models import Complaint
from tickets.rules import complaints as crules

SQL = f"""
WITH dl AS (
    -- A complaint's reply clock starts when it was received.
    SELECT d.object_id,
           bool_or(d.met_at <= d.due_at) AS r_on,
           bool_or(d.met_at > d.due_at) AS r_late,
           bool_or(d.met_at IS NULL AND d.due_at < %(now)s) AS r_overdue,
           bool_or(d.met_at IS NULL AND d.due_at >= %(now)s) AS r_pending
    FROM propserv_deadline d
    WHERE d.estate_id = ANY(%(estates)s) AND d.kind = %(reply)s
      AND d.started_at >= %(prev_start)s AND d.cancelled_at IS NULL
    GROUP BY d.object_id
), base AS (
    SELECT
        {common.bucket_sql("c.received_at")} AS bucket, c.category, c.grade, c.repeat_flagged,
        COALESCE(dl.r_on AND NOT dl.r_late AND NOT dl.r_overdue AND NOT dl.r_pending, false)
            AS r_on,
        COALESCE(dl.r_late AND NOT dl.r_overdue, false) AS r_late,
        COALESCE(dl.r_overdue, false) AS r_overdue
    FROM tickets_complaint c
    LEFT JOIN dl ON dl.object_id = c.id
    WHERE c.estate_id = ANY(%(estates)s)
      AND c.received_at >= %(prev_start)s AND c.received_at < %(end)s
)
SELECT
    bucket, category, grade, GROUPING(category, grade) AS grouping,
    count(*) AS received,
    count(*) FILTER (WHERE grade IN ('major', 'important', 'minor')) AS effective,
    count(*) FILTER (WHERE repeat_flagged) AS repeats,
    count(*) FILTER (WHERE r_on) AS reply_on_time,
    count(*) FILTER (WHERE r_late) AS reply_late,
    count(*) FILTER (WHERE r_overdue) AS reply_overdue
FROM base
GROUP BY GROUPING SETS ((bucket), (bucket, category, grade))
"""  # noqa: S608  # nosec B608 — only module constants are formatted in; values are parameters

# Figures of the moment, not of the period: the occupied households and the replies overdue now.
NOW_SQL = """
SELECT
    (SELECT count(*) FROM propserv_unit u
      WHERE u.estate_id = ANY(%(estates)s) AND u.status = 'occupied') AS households,
    (SELECT count(DISTINCT d.object_id) FROM propserv_deadline d
      WHERE d.estate_id = ANY(%(estates)s) AND d.kind = %(reply)s
        AND d.met_at IS NULL AND d.cancelled_at IS NULL AND d.due_at < %(now)s) AS overdue_now
"""

GRADE_COLUMNS = [*crules.EFFECTIVE_GRADES, "invalid", ""]


def aggregate(estate_ids: list[int], period, now=None) -> dict:
    params = common.period_params(period, estate_ids, now)
    params.update(ct=common.content_type_id(Complaint), reply=crules.REPLY)
    rows = common.fetch_dicts(SQL, params)
    cur, prev = common.by_bucket([r for r in rows if r["grouping"] == 3])
    matrix = {
        (r["category"], r["grade"]): r["received"]
        for r in rows
        if r["grouping"] == 0 and r["bucket"] == common.CURRENT
    }
    (moment,) = common.fetch_dicts(NOW_SQL, params)
    households, overdue = moment["households"], moment["overdue_now"]
    return {
        "cur": cur,
        "prev": prev,
        "matrix": matrix,
        "households": households,
        "overdue_now": overdue,
    }


def _replied(row: dict):
    on_time = row.get("reply_on_time", 0)
    return common.rate(on_time, on_time + row.get("reply_late", 0) + row.get("reply_overdue", 0))


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    data = aggregate(estate_ids, period, now)
    cur, prev, households = data["cur"], data["prev"], data["households"]
    goal = common.targets(estate_ids, higher=["complaint_reply_target_percent"])
    limit = common.targets(estate_ids, lower=["effective_complaint_target_permille"])
    received = common.received_range(period)

    def url(dated=True, **params):
        return common.list_url(
            "tickets:complaint-list", estate_ids, **(received if dated else {}), **params
        )

    kpis = (
        Kpi(
            "received",
            _("Complaints received"),
            cur.get("received", 0),
            prev.get("received", 0),
            url=url(),
        ),
        Kpi(
            "replied",
            _("Replied within 4 working days"),
            _replied(cur),
            _replied(prev),
            target=goal["complaint_reply_target_percent"],
            unit="%",
            url=url(reply="late"),
        ),
        Kpi(
            "overdue_now",
            _("Open past the reply deadline now"),
            data["overdue_now"],
            target=0,
            better="lower",
            url=url(dated=False, reply="overdue"),
        ),
        Kpi(
            "effective_rate",
            _("Effective complaints per 1,000 households"),
            common.rate(cur.get("effective", 0), households, scale=1000),
            common.rate(prev.get("effective", 0), households, scale=1000),
            target=limit["effective_complaint_target_permille"],
            better="lower",
            unit="‰",
            url=url(grade=list(crules.EFFECTIVE_GRADES)),
        ),
        Kpi(
            "repeats",
            _("Repeat complaints"),
            cur.get("repeats", 0),
            prev.get("repeats", 0),
            better="lower",
            url=url(repeat=1),
        ),
    )
    return [
        KpiCard(
            "complaints",
            _("Complaints"),
            kpis=kpis,
            tables=(_matrix_table(data["matrix"], url),),
            order=30,
        )
    ]


def _matrix_table(matrix: dict, url) -> Table:
    grades = dict(Complaint.Grade.choices)
    rows = []
    for code, label in Complaint.Category.choices:
        row = {"name": label, "url": url(category=code)}
        for grade in GRADE_COLUMNS:
            row[grade or "ungraded"] = matrix.get((code, grade), 0)
        row["total"] = sum(row[g or "ungraded"] for g in GRADE_COLUMNS)
        rows.append(row)
    columns = [Column("name", _("Category"), width=22)]
    columns += [Column(g or "ungraded", grades.get(g, _("Not graded yet"))) for g in GRADE_COLUMNS]
    columns.append(Column("total", _("Total")))
    return Table(_("Complaints by grade and category"), columns, rows)
