"""The repairs card: received, arrival and completion on time, minutes to arrival, rework, by
category, by technician, daily trend and the distribution of arrival times.

One statement reads every figure: the period's repairs (index `repair_estate_received`), their
arrival and completion clocks (index `deadline_dashboard`: the estate's clocks of a kind started
since the period began, aggregated per repair and hash-joined, not looked up repair by repair)
and their callbacks (index `callback_estate_due`), joined once (a materialised CTE) and grouped
twice: by period with the percentiles and the histogram, and by GROUPING SETS (category;
technician; day) of the current period; a second statement reads the names of the categories and
technicians. A repair's arrival
and completion are judged as the repair list judges them (`tickets.selectors.timeliness`): late if
any round's clock was met late or is open past due; else pending if one is still running; else on
time; cancelled clocks count as neither.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.exports import Column, Table
from propserv.registry import Chart, Kpi, KpiCard
from tickets.kpis import common
from tickets.models import Repair
from tickets.rules import repairs as rules
from tickets.selectors import timeliness

HISTOGRAM_STEP = 5  # minutes
HISTOGRAM_BINS = 12  # 0–60 minutes, then one bin for everything later
SATISFIED_FROM = timeliness.SATISFIED_FROM  # 3 (acceptable) and above

_BINS = ",\n".join(
    f"count(*) FILTER (WHERE minutes >= {i * HISTOGRAM_STEP}"
    + (f" AND minutes < {(i + 1) * HISTOGRAM_STEP}" if i < HISTOGRAM_BINS else "")
    + f") AS bin{i}"
    for i in range(HISTOGRAM_BINS + 1)
)

_COUNTS = """count(*) AS received,
    count(*) FILTER (WHERE urgent) AS urgent,
    count(*) FILTER (WHERE urgent AND a_on) AS urgent_on_time,
    count(*) FILTER (WHERE urgent AND a_late) AS urgent_late,
    count(*) FILTER (WHERE NOT urgent AND a_on) AS normal_on_time,
    count(*) FILTER (WHERE NOT urgent AND a_late) AS normal_late,
    count(*) FILTER (WHERE a_on) AS arrival_on_time,
    count(*) FILTER (WHERE a_late) AS arrival_late,
    count(*) FILTER (WHERE c_on) AS completion_on_time,
    count(*) FILTER (WHERE c_late) AS completion_late,
    count(*) FILTER (WHERE reopen_count > 0) AS reopened,
    COALESCE(sum(answered), 0) AS answered,
    COALESCE(sum(satisfied), 0) AS satisfied"""
_NO_BINS = ", ".join(f"0 AS bin{i}" for i in range(HISTOGRAM_BINS + 1))
# GROUPING() bits, left to right: category_id, technician_id, day
TOTAL, BY_CATEGORY, BY_TECHNICIAN, BY_DAY = 0b111, 0b011, 0b101, 0b110

SQL = f"""
WITH r AS (
    SELECT id, received_at, urgent, reopen_count, category_id, technician_id
    FROM tickets_repair
    WHERE estate_id = ANY(%(estates)s)
      AND received_at >= %(prev_start)s AND received_at < %(end)s
), dl AS (
    -- Every clock of these repairs started at or after the repair was received.
    SELECT d.object_id,
        min(d.met_at) FILTER (WHERE d.kind = %(arrival)s) AS first_arrival,
        bool_or(d.kind = %(arrival)s AND d.met_at <= d.due_at) AS a_met,
        bool_or(d.kind = %(arrival)s AND (d.met_at > d.due_at
                OR (d.met_at IS NULL AND d.due_at < %(now)s))) AS a_late,
        bool_or(d.kind = %(arrival)s AND d.met_at IS NULL AND d.due_at >= %(now)s) AS a_pending,
        bool_or(d.kind = %(completion)s AND d.met_at <= d.due_at) AS c_met,
        bool_or(d.kind = %(completion)s AND (d.met_at > d.due_at
                OR (d.met_at IS NULL AND d.due_at < %(now)s))) AS c_late,
        bool_or(d.kind = %(completion)s AND d.met_at IS NULL AND d.due_at >= %(now)s)
            AS c_pending
    FROM propserv_deadline d
    WHERE d.estate_id = ANY(%(estates)s) AND d.kind IN (%(arrival)s, %(completion)s)
      AND d.started_at >= %(prev_start)s AND d.cancelled_at IS NULL
    GROUP BY d.object_id
), cb AS (
    -- A callback falls due after the repair's completion, so after its receipt.
    SELECT c.repair_id, count(*) AS answered,
           count(*) FILTER (WHERE c.satisfaction >= {SATISFIED_FROM}) AS satisfied
    FROM tickets_callback c
    WHERE c.estate_id = ANY(%(estates)s) AND c.due_at >= %(prev_start)s
      AND c.status = 'done' AND c.repair_id IS NOT NULL
    GROUP BY c.repair_id
), base AS MATERIALIZED (
    SELECT
        {common.bucket_sql("r.received_at")} AS bucket,
        r.urgent, r.reopen_count, r.category_id, r.technician_id,
        (r.received_at AT TIME ZONE %(tz)s)::date AS day,
        EXTRACT(EPOCH FROM dl.first_arrival - r.received_at) / 60.0 AS minutes,
        COALESCE(dl.a_met AND NOT dl.a_late AND NOT dl.a_pending, false) AS a_on,
        COALESCE(dl.a_late, false) AS a_late,
        COALESCE(dl.c_met AND NOT dl.c_late AND NOT dl.c_pending, false) AS c_on,
        COALESCE(dl.c_late, false) AS c_late,
        cb.answered, cb.satisfied
    FROM r
    LEFT JOIN dl ON dl.object_id = r.id
    LEFT JOIN cb ON cb.repair_id = r.id
)
-- The totals with the percentiles and the histogram: one sort per period.
SELECT
    bucket, NULL::bigint AS category_id, NULL::integer AS technician_id, NULL::date AS day,
    {TOTAL} AS grouping,
    {_COUNTS},
    percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median_minutes,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) AS p90_minutes,
    {_BINS}
FROM base
GROUP BY bucket
UNION ALL
-- The breakdowns of the current period, without percentiles.
SELECT
    bucket, category_id, technician_id, day,
    GROUPING(category_id, technician_id, day) AS grouping,
    {_COUNTS},
    NULL, NULL,
    {_NO_BINS}
FROM base
WHERE bucket = '{common.CURRENT}'
GROUP BY GROUPING SETS ((bucket, category_id), (bucket, technician_id), (bucket, day))
"""  # noqa: S608  # nosec B608 — only module constants are formatted in; values are parameters

NAMES_SQL = """
SELECT 'category' AS what, id, name FROM tickets_repaircategory WHERE id = ANY(%(categories)s)
UNION ALL
SELECT 'technician', id, COALESCE(NULLIF(TRIM(first_name || ' ' || last_name), ''), username)
FROM auth_user WHERE id = ANY(%(technicians)s)
"""


def aggregate(estate_ids: list[int], period, now=None) -> dict:
    """{"cur": totals, "prev": totals, "categories": [...], "technicians": [...], "days": [...]}
    of the period (the three lists for the current period only)."""
    params = common.period_params(period, estate_ids, now)
    params.update(
        ct=common.content_type_id(Repair), arrival=rules.ARRIVAL, completion=rules.COMPLETION
    )
    rows = common.fetch_dicts(SQL, params)
    totals = [r for r in rows if r["grouping"] == TOTAL]
    cur, prev = common.by_bucket(totals)
    mine = [r for r in rows if r["bucket"] == common.CURRENT]
    _name(mine)
    return {
        "cur": cur,
        "prev": prev,
        "categories": sorted(
            (r for r in mine if r["grouping"] == BY_CATEGORY),
            key=lambda r: (-r["received"], r["category_name"]),
        ),
        "technicians": sorted(
            (r for r in mine if r["grouping"] == BY_TECHNICIAN and r["technician_id"]),
            key=lambda r: (-r["received"], r["tech_name"] or ""),
        ),
        "days": sorted((r for r in mine if r["grouping"] == BY_DAY), key=lambda r: r["day"]),
    }


def _name(rows: list[dict]) -> None:
    """The names of the categories and technicians (one statement, whatever the period)."""
    names = {
        (n["what"], n["id"]): n["name"]
        for n in common.fetch_dicts(
            NAMES_SQL,
            {
                "categories": [r["category_id"] for r in rows if r["grouping"] == BY_CATEGORY],
                "technicians": [
                    r["technician_id"]
                    for r in rows
                    if r["grouping"] == BY_TECHNICIAN and r["technician_id"]
                ],
            },
        )
    }
    for r in rows:
        r["category_name"] = names.get(("category", r["category_id"]), "")
        r["tech_name"] = names.get(("technician", r["technician_id"]), "")


def _on_time(row: dict, prefix: str):
    return common.rate(row.get(f"{prefix}_on_time", 0), _decided(row, prefix))


def _decided(row: dict, prefix: str) -> int:
    return row.get(f"{prefix}_on_time", 0) + row.get(f"{prefix}_late", 0)


def _minutes(value):
    return None if value is None else round(float(value), 1)


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    data = aggregate(estate_ids, period, now)
    cur, prev = data["cur"], data["prev"]
    goal = common.targets(
        estate_ids,
        higher=["repair_on_time_target_percent", "repair_completion_target_percent"],
    )
    on_time_goal = goal["repair_on_time_target_percent"]
    received = common.received_range(period)

    def url(**params):
        return common.list_url("tickets:repair-list", estate_ids, **received, **params)

    kpis = (
        Kpi(
            "received",
            _("Repairs received"),
            cur.get("received", 0),
            prev.get("received", 0),
            url=url(),
        ),
        Kpi(
            "urgent_arrival",
            _("Urgent: arrived within the deadline"),
            _on_time(cur, "urgent"),
            _on_time(prev, "urgent"),
            target=on_time_goal,
            unit="%",
            url=url(urgent=1, arrival="late"),
        ),
        Kpi(
            "normal_arrival",
            _("Normal: arrived within the deadline"),
            _on_time(cur, "normal"),
            _on_time(prev, "normal"),
            target=on_time_goal,
            unit="%",
            url=url(urgent=0, arrival="late"),
        ),
        Kpi(
            "median_arrival",
            _("Time to arrival, median"),
            _minutes(cur.get("median_minutes")),
            _minutes(prev.get("median_minutes")),
            better="lower",
            unit="min",
        ),
        Kpi(
            "p90_arrival",
            _("Time to arrival, 90th percentile"),
            _minutes(cur.get("p90_minutes")),
            _minutes(prev.get("p90_minutes")),
            better="lower",
            unit="min",
        ),
        Kpi(
            "completion",
            _("Completed within the target time"),
            _on_time(cur, "completion"),
            _on_time(prev, "completion"),
            target=goal["repair_completion_target_percent"],
            unit="%",
            url=url(completion="late"),
        ),
        Kpi(
            "reopened",
            _("Reopened (rework)"),
            cur.get("reopened", 0),
            prev.get("reopened", 0),
            better="lower",
            url=url(reopened=1),
        ),
    )
    return [
        KpiCard(
            "repairs",
            _("Repairs"),
            kpis=kpis,
            tables=(_category_table(data, url), _technician_table(data, estate_ids, received)),
            charts=_charts(data),
            order=10,
        )
    ]


def _category_table(data: dict, url) -> Table:
    rows = [
        {
            "name": r["category_name"],
            "received": r["received"],
            "urgent": r["urgent"],
            "arrival": _on_time(r, "arrival"),
            "late": r["arrival_late"],
            "completion": _on_time(r, "completion"),
            "url": url(category=r["category_id"]),
            "late_url": url(category=r["category_id"], arrival="late"),
        }
        for r in data["categories"]
    ]
    return Table(
        _("Repairs by category"),
        [
            Column("name", _("Category"), width=20),
            Column("received", _("Received")),
            Column("urgent", _("Urgent")),
            Column("arrival", _("Arrived on time (%)")),
            Column("late", _("Arrived late")),
            Column("completion", _("Completed on time (%)")),
        ],
        rows,
    )


def _technician_table(data: dict, estate_ids, received: dict) -> Table:
    rows = [
        {
            "name": r["tech_name"],
            "jobs": r["received"],
            "arrival": _on_time(r, "arrival"),
            "late": r["arrival_late"],
            "satisfaction": common.rate(r["satisfied"], r["answered"]),
            "url": common.list_url(
                "tickets:repair-list", estate_ids, technician=r["technician_id"], **received
            ),
            "late_url": common.list_url(
                "tickets:repair-list",
                estate_ids,
                technician=r["technician_id"],
                arrival="late",
                **received,
            ),
        }
        for r in data["technicians"]
    ]
    return Table(
        _("Repairs by technician"),
        [
            Column("name", _("Technician"), width=20),
            Column("jobs", _("Jobs")),
            Column("arrival", _("Arrived on time (%)")),
            Column("late", _("Arrived late")),
            Column("satisfaction", _("Satisfied (%)")),
        ],
        rows,
    )


def _charts(data: dict) -> tuple:
    days = data["days"]
    labels = tuple(r["day"].strftime("%m-%d") for r in days)
    cur = data["cur"]
    bins = [cur.get(f"bin{i}", 0) for i in range(HISTOGRAM_BINS + 1)]
    bin_labels = tuple(
        [f"{i * HISTOGRAM_STEP}–{(i + 1) * HISTOGRAM_STEP}" for i in range(HISTOGRAM_BINS)]
        + [f"≥{HISTOGRAM_BINS * HISTOGRAM_STEP}"]
    )
    return (
        Chart(
            "repairs_received_daily",
            _("Repairs received per day"),
            "line",
            labels=labels,
            series=((_("Received"), tuple(r["received"] for r in days)),),
        ),
        Chart(
            "repairs_on_time_daily",
            _("Arrived within the deadline per day (%)"),
            "line",
            labels=labels,
            series=((_("On time"), tuple(_on_time(r, "arrival") for r in days)),),
            unit="%",
        ),
        Chart(
            "repairs_by_category",
            _("Repairs by category"),
            "bar",
            labels=tuple(r["category_name"] for r in data["categories"]),
            series=((_("Received"), tuple(r["received"] for r in data["categories"])),),
        ),
        Chart(
            "arrival_minutes",
            _("Minutes from the call to the technician's arrival"),
            "histogram",
            labels=bin_labels,
            series=((_("Repairs"), tuple(bins)),),
            marks=((15 / HISTOGRAM_STEP, _("15 min (urgent)")), (30 / HISTOGRAM_STEP, _("30 min"))),
            unit="min",
        ),
    )
