"""The checks and the table of the scale-out run (bench/faults/scaleout.py), with Django set up
in the runner's process on the run's database."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import close_old_connections
from django.db.models import Count
from django.utils import timezone

from bench.faults.scenarios import api_checks
from propserv.models import Deadline, DeadlineEscalation
from tickets.models import Repair
from visits.models import Visit

CREATES = {"repair", "complaint", "key-loan", "urgent", "race"}


def deadline_checks(estate, start: dt.datetime, urgent_repairs: list[int]) -> dict:
    """Every deadline of the estate that fell due since `start` (not met, not cancelled) has been
    flagged, with exactly one escalation row per (deadline, level); the urgent repairs' arrival
    deadlines among them."""

    close_old_connections()
    now = timezone.now()
    fell_due = Deadline.objects.filter(
        estate=estate, due_at__gte=start, due_at__lte=now, met_at=None, cancelled_at=None
    )
    arrival = fell_due.filter(
        content_type=ContentType.objects.get_for_model(Repair), object_id__in=urgent_repairs
    )
    escalations = DeadlineEscalation.objects.filter(deadline__in=fell_due)
    per_step = escalations.values("deadline_id", "level").annotate(n=Count("id"))
    flagged = set(escalations.filter(level=1).values_list("deadline_id", flat=True))
    lags = sorted(
        (d.breached_at - d.due_at).total_seconds() for d in fell_due if d.breached_at is not None
    )
    return {
        "fell_due": fell_due.count(),
        "urgent_arrivals_fell_due": arrival.count(),
        "flagged": len(flagged),
        "never_flagged": fell_due.filter(breached_at=None).count(),
        "flagged_without_escalation_row": fell_due.exclude(breached_at=None)
        .exclude(pk__in=flagged)
        .count(),
        "escalation_rows": escalations.count(),
        "duplicate_escalations": sum(row["n"] - 1 for row in per_step if row["n"] > 1),
        "escalation_rows_all_time_duplicated": sum(
            row["n"] - 1
            for row in DeadlineEscalation.objects.values("deadline_id", "level").annotate(
                n=Count("id")
            )
            if row["n"] > 1
        ),
        "breach_lag_p50_s": round(lags[len(lags) // 2], 2) if lags else None,
        "breach_lag_max_s": round(lags[-1], 2) if lags else None,
    }


def visits_lost(client) -> int:

    close_old_connections()
    have = set(
        Visit.objects.filter(summary__startswith=f"{client.tag} visit ").values_list(
            "summary", flat=True
        )
    )
    ok = [a for a in client.answers if a.kind == "visit" and a.status == 201]
    return sum(1 for a in ok if f"{client.tag} visit {a.key}" not in have)


def verdicts(row: dict) -> list[tuple[str, str, object, bool]]:
    """(check, expected, measured, ok) — the table."""
    race = row["key_race"]
    return [
        ("requests sent", "-", row["load"]["sent"], True),
        ("answered 5xx or not at all", "0", row["server_errors"], row["server_errors"] == 0),
        ("other failures (4xx, race excluded)", "0", row["client_errors"], row["client_errors"] == 0),
        ("creates lost", "0", row["lost"], row["lost"] == 0),
        ("creates duplicated", "0", row["duplicated"], row["duplicated"] == 0),
        ("deadlines fell due", "> 0", row["deadlines"]["fell_due"], row["deadlines"]["fell_due"] > 0),
        ("deadlines never flagged", "0", row["deadlines"]["never_flagged"],
         row["deadlines"]["never_flagged"] == 0),
        ("duplicate (deadline, level) escalations", "0",
         row["deadlines"]["duplicate_escalations"], row["deadlines"]["duplicate_escalations"] == 0),
        ("notifications", "> 0", row["notifications"]["notifications"],
         row["notifications"]["notifications"] > 0),
        ("notifications undelivered", "0", row["notifications"]["undelivered"],
         row["notifications"]["undelivered"] == 0),
        ("mails expected / missing", "n / 0",
         f"{row['notifications']['mails_expected']} / {row['notifications']['mails_missing']}",
         row["notifications"]["mails_missing"] == 0),
        ("duplicate notifications / mails", "0 / 0",
         f"{row['notifications']['duplicate_notifications']} / "
         f"{row['notifications']['duplicate_mails']}",
         not row["notifications"]["duplicate_notifications"]
         and not row["notifications"]["duplicate_mails"]),
        ("key race rounds: 1 lent, 19 × 409", f"{race['rounds']} of {race['rounds']}",
         f"{race['one_of_twenty']} of {race['rounds']}",
         race["rounds"] > 0 and race["one_of_twenty"] == race["rounds"]),
        ("breach flagged after due p50 / max s", "-",
         f"{row['deadlines']['breach_lag_p50_s']} / {row['deadlines']['breach_lag_max_s']}", True),
        ("children restarted by the launcher", "0", row["restarts"], row["restarts"] == 0),
        ("web servers that served (CPU > 0.5 s)", str(row["scale"]["web"]), row["web_serving"],
         row["web_serving"] == row["scale"]["web"]),
    ]  # fmt: skip


def table(checks) -> str:
    lines = [f"{'check':42} | {'expected':9} | {'measured':12} | ok", "-" * 75]
    for name, expected, measured, ok in checks:
        lines.append(f"{name:42} | {expected:9} | {str(measured):12} | {'yes' if ok else 'NO'}")
    return "\n".join(lines)


class _Creates:
    """The client's tag and its create answers only (lists have no record to find)."""

    def __init__(self, client) -> None:
        self.tag = client.tag
        self.answers = [a for a in client.answers if a.kind in CREATES]


def create_checks(client, user) -> dict:
    """The fault suite's checks over the creates (lost, duplicated, half-written), plus the
    reception entries answered 201 that have no record."""
    checks = api_checks(_Creates(client), user)
    checks["visits_lost"] = visits_lost(client)
    return checks
