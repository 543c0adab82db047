"""Seeding and counting, with Django set up in the runner's process (after the stack's database
is migrated). Every record a scenario creates carries its tag in its text, so each scenario is
counted on its own."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from keys import services as key_services
from keys.models import KeyLoan
from propserv.models import (
    Building,
    Deadline,
    DeadlineEscalation,
    Estate,
    IdempotencyRecord,
    Notification,
    StaffProfile,
    Unit,
)
from propserv.roles import Role
from tickets import rules
from tickets.demo import ensure_reference_data
from tickets.models import Complaint, Repair, RepairCategory
from tickets.services import repairs as repair_services

UNITS = 4000
MAIL_DOMAIN = "faults.invalid"


@dataclass
class Seed:
    estate: Estate
    frontdesk: object
    technician_id: int
    token: str
    gas: RepairCategory
    key_ids: list[int]  # each loan takes the next key (a key has one open loan at a time)
    arrival: dt.timedelta  # an urgent repair's arrival time (received → due)
    units: itertools.count  # index of the next unused unit: every record gets its own


def _staff(username: str, role: str, estate: Estate, email: str = ""):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": email, "first_name": username}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.get_or_create(user=user)[0].estates.add(estate)
    return user


def unit_code(i: int) -> str:
    return f"F-{i // 100 + 1}-{i % 100 + 1:02d}"


def seed(keys: int = 400) -> Seed:
    estate, _ = Estate.objects.get_or_create(code="FAULTS", defaults={"name": "故障花园"})
    estate.service_settings  # noqa: B018 - creates the settings row with the defaults
    ensure_reference_data(estate)
    if not Unit.objects.filter(estate=estate).exists():
        buildings = {
            b: Building.objects.get_or_create(estate=estate, code=f"F{b}")[0]
            for b in range(1, UNITS // 100 + 1)
        }
        Unit.objects.bulk_create(
            Unit(
                estate=estate,
                building=buildings[i // 100 + 1],
                code=unit_code(i),
                area_m2=90,
                status=Unit.Status.OCCUPIED,
            )
            for i in range(UNITS)
        )
    # Mail goes to the desk and the supervisor (urgent alerts, warnings, breaches); the others
    # have no address (their rows are still delivered: the bell).
    frontdesk = _staff("fd", Role.FRONT_DESK, estate, f"fd@{MAIL_DOMAIN}")
    _staff("sup", Role.SUPERVISOR, estate, f"sup@{MAIL_DOMAIN}")
    _staff("pm", Role.PROJECT_MANAGER, estate)
    technician = _staff("tech", Role.TECHNICIAN, estate)
    token, _ = Token.objects.get_or_create(user=frontdesk)
    now = timezone.now()
    with transaction.atomic():
        key_ids = [
            key_services.key_register(
                estate=estate,
                kind="common",
                area=f"水泵房 {n}",
                count=1,
                slot=f"FK-{n:04d}",
                actor=frontdesk,
                at=now,
            ).pk
            for n in range(keys)
        ]
    gas = RepairCategory.objects.get(estate=estate, code="gas")
    probe = repair_services.repair_create(
        estate=estate,
        unit=Unit.objects.get(estate=estate, code=unit_code(UNITS - 1)),
        category=gas,
        description="probe",
        actor=frontdesk,
        received_at=now,
        now=now,
    )
    arrival = Deadline.objects.for_subject(probe).get(kind=rules.ARRIVAL)
    repair_services.repair_cancel(repair_id=probe.pk, reason="probe", actor=frontdesk)
    return Seed(
        estate=estate,
        frontdesk=frontdesk,
        technician_id=technician.pk,
        token=token.key,
        gas=gas,
        key_ids=key_ids,
        arrival=arrival.due_at - arrival.started_at,
        units=itertools.count(0),
    )


def due_repairs(seed: Seed, tag: str, due_times: list[dt.datetime]) -> list[int]:
    """Urgent repairs created through the service, backdated so their arrival deadline falls due
    at each of `due_times`; returns the arrival deadlines' ids."""
    ids = []
    for n, due in enumerate(due_times):
        close_old_connections()
        unit = Unit.objects.get(estate=seed.estate, code=unit_code(next(seed.units)))
        repair = repair_services.repair_create(
            estate=seed.estate,
            unit=unit,
            category=seed.gas,
            description=f"{tag} 燃气泄漏 {n}",
            actor=seed.frontdesk,
            received_at=due - seed.arrival,
        )
        ids.append(Deadline.objects.for_subject(repair).get(kind=rules.ARRIVAL).pk)
    return ids


def deadline_report(ids: list[int], recovered_at: float | None = None) -> dict:
    """Never flagged, duplicate escalations, breach lag, and time from `recovered_at` (epoch s)
    to the first breach flagged after it."""
    close_old_connections()
    rows = list(Deadline.objects.filter(pk__in=ids).values("pk", "due_at", "breached_at"))
    now = timezone.now()
    due = [r for r in rows if r["due_at"] <= now]
    never = sum(1 for r in due if r["breached_at"] is None)
    per_level = Counter(
        DeadlineEscalation.objects.filter(deadline_id__in=ids, level=1).values_list(
            "deadline_id", flat=True
        )
    )
    duplicates = sum(n - 1 for n in per_level.values() if n > 1)
    lags = sorted((r["breached_at"] - r["due_at"]).total_seconds() for r in due if r["breached_at"])
    first_after = None
    if recovered_at is not None:
        after = [
            r["breached_at"].timestamp() - recovered_at
            for r in due
            if r["breached_at"] and r["breached_at"].timestamp() >= recovered_at
        ]
        first_after = round(min(after), 2) if after else None
    return {
        "deadlines": len(ids),
        "due": len(due),
        "never_flagged": never,
        "duplicate_escalations": duplicates,
        "lag_p50_s": round(lags[len(lags) // 2], 2) if lags else None,
        "lag_max_s": round(lags[-1], 2) if lags else None,
        "recovery_to_first_breach_s": first_after,
    }


def notifications_since(start: dt.datetime, end: dt.datetime | None = None):
    qs = Notification.objects.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    return qs


def notification_report(
    start: dt.datetime, end: dt.datetime, mails: Counter, resent: Counter | None = None
) -> dict:
    """Duplicate notification rows (one per recipient and event), rows never delivered, and the
    mails of each row (by recipient and subject): missing, duplicated (distinct messages beyond
    one per row) and resent (the same Message-ID transmitted again)."""
    close_old_connections()
    qs = notifications_since(start, end)
    dedupe = Counter(qs.exclude(dedupe_key="").values_list("recipient_id", "dedupe_key"))
    expected = Counter(
        (email, f"[PropServ] {title}")
        for email, title in qs.exclude(recipient__email="").values_list("recipient__email", "title")
    )
    got = {key: mails.get(key, 0) for key in expected}
    return {
        "notifications": qs.count(),
        "duplicate_notifications": sum(n - 1 for n in dedupe.values() if n > 1),
        "undelivered": qs.filter(delivered_at__isnull=True).count(),
        "mails_expected": sum(expected.values()),
        "mails_missing": sum(max(0, n - got[k]) for k, n in expected.items()),
        "duplicate_mails": sum(max(0, got[k] - n) for k, n in expected.items()),
        "resent_same_message_id": sum((resent or {}).get(k, 0) for k in expected),
    }


def all_delivered(start: dt.datetime, mails: Counter) -> bool:
    report = notification_report(start, timezone.now(), mails)
    return report["undelivered"] == 0 and report["mails_missing"] == 0


def records_by_tag(tag: str) -> dict[str, Counter]:
    """How many records carry each idempotency key (the key is the last word of their text)."""
    close_old_connections()
    return {
        "repair": Counter(
            d.rsplit(" ", 1)[-1]
            for d in Repair.objects.filter(description__startswith=tag).values_list(
                "description", flat=True
            )
        ),
        "complaint": Counter(
            d.rsplit(" ", 1)[-1]
            for d in Complaint.objects.filter(description__startswith=tag).values_list(
                "description", flat=True
            )
        ),
        "key-loan": Counter(
            r.rsplit(" ", 1)[-1]
            for r in KeyLoan.objects.filter(reason__startswith=tag).values_list("reason", flat=True)
        ),
    }


def claimed_keys(user, keys: list[str]) -> set[str]:
    close_old_connections()
    return set(
        IdempotencyRecord.objects.filter(user=user, key__in=keys).values_list("key", flat=True)
    )


def half_written(tag: str) -> int:
    """Records of `tag` without the deadlines their create opens (a create cut in half)."""
    close_old_connections()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM tickets_repair r WHERE r.description LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM propserv_deadline d JOIN django_content_type ct "
            "ON ct.id = d.content_type_id AND ct.app_label = 'tickets' AND ct.model = 'repair' "
            "WHERE d.object_id = r.id)",
            [f"{tag}%"],
        )
        return cur.fetchone()[0]
