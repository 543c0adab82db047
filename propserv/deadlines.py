"""The deadline engine shared by every module (docs/architecture.md, "Deadlines").

Modules register a DeadlinePolicy per kind in their AppConfig.ready (`registry.add_deadline_policy`):
the policy owns the whole ladder — the rule under the estate's current settings, the warning share,
the escalation step, the top level and who hears about each level. Opening a clock and recomputing
it both ask the policy, so no other code ever patches a row's step or levels. Modules open
deadlines with `deadline_open` and stamp them with `deadline_meet`. The Celery beat task
`propserv.sweep_deadlines` calls `sweep()` every few seconds; the unique (deadline, level)
constraint plus row locks make every warning and escalation happen exactly once whatever the
number of sweeps, beats or redeliveries.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from propserv.access import staff_of
from propserv.deadline_rules import compute_due, next_check, warn_moment
from propserv.inserts import insert_new
from propserv.models import Deadline, DeadlineEscalation, EstateSettings, Notification
from propserv.notifications import notify
from propserv.registry import registry
from propserv.roles import Role
from propserv.workdays import WorkCalendar, calendar_changed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ladder:
    """How a clock climbs: warning at `warn_percent` % of the allowed time, the breach (level 1),
    then one level every `step` up to `top_level`."""

    warn_percent: int
    step: dt.timedelta
    top_level: int


class DeadlinePolicy:
    """Who hears what, for one kind of deadline. Subclass per kind and register an instance with
    `registry.add_deadline_policy` in the app's AppConfig.ready."""

    kind = ""
    label = ""
    # Level 1 is the breach; each further level comes `escalation_step` later.
    escalation_roles: dict[int, tuple[str, ...]] = {
        1: (Role.SUPERVISOR,),
        2: (Role.PROJECT_MANAGER,),
    }
    warning_roles: tuple[str, ...] = (Role.FRONT_DESK,)

    def subject_label(self, deadline: Deadline) -> str:
        return str(deadline.subject) if deadline.subject is not None else f"#{deadline.object_id}"

    def subject_url(self, deadline: Deadline) -> str:
        subject = deadline.subject
        return subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""

    def assignees(self, deadline: Deadline) -> list:
        """People directly responsible (the technician, the owner of a complaint…)."""
        return []

    def recipients(self, deadline: Deadline, level: int) -> list:
        if level == 0:
            return [
                *self.assignees(deadline),
                *staff_of(deadline.estate, *self.warning_roles),
            ]
        roles = self.escalation_roles.get(level, ())
        return list(staff_of(deadline.estate, *roles)) if roles else []

    def message(self, deadline: Deadline, level: int) -> tuple[str, str]:
        what = f"{self.label or deadline.kind}: {self.subject_label(deadline)}"
        due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
        if level == 0:
            return _("Due soon – %(what)s") % {"what": what}, _("Due at %(due)s.") % {"due": due}
        return (
            _("Overdue (level %(level)s) – %(what)s") % {"level": level, "what": what},
            _("It was due at %(due)s and is still not done.") % {"due": due},
        )

    def current_rule(self, deadline: Deadline, estate_settings: EstateSettings) -> dict | None:
        """The rule under the estate's current settings (None: leave this deadline as it is)."""
        return None

    def ladder(self, estate_settings: EstateSettings) -> Ladder:
        """The ladder under the estate's current settings. The default: the estate's warning
        share and escalation step, up to the highest level that has recipients."""
        return Ladder(
            warn_percent=estate_settings.deadline_warn_percent,
            step=dt.timedelta(minutes=estate_settings.escalation_step_minutes),
            top_level=max(self.escalation_roles, default=1),
        )


def policy_for(kind: str) -> DeadlinePolicy:
    return registry.deadline_policies.get(kind) or DeadlinePolicy()


# --- writing deadlines ------------------------------------------------------------------------


def deadline_open(
    *,
    subject,
    estate,
    kind: str,
    started_at: dt.datetime,
    rule: dict,
    now: dt.datetime | None = None,
) -> Deadline:
    """Open (or return the already open) deadline of `kind` for `subject`. Call inside the
    subject's transaction."""
    return deadlines_open(
        subject=subject, estate=estate, started_at=started_at, rules={kind: rule}, now=now
    )[kind]


def deadlines_open(
    *,
    subject,
    estate,
    started_at: dt.datetime,
    rules: dict[str, dict],
    now: dt.datetime | None = None,
) -> dict[str, Deadline]:
    """Open the deadlines `rules` ({kind: rule}) of `subject`, all counted from `started_at`, in
    one statement; a kind whose clock is already running keeps that clock. Returns {kind: row}."""
    now = now or timezone.now()
    settings_row = estate.service_settings
    started_local = timezone.localtime(started_at)
    content_type = ContentType.objects.get_for_model(subject)
    calendar = WorkCalendar()
    opened = {}
    for kind, rule in rules.items():
        ladder = policy_for(kind).ladder(settings_row)
        due_at, provisional = compute_due(rule, started_local, calendar)
        warn_at = warn_moment(started_at, due_at, ladder.warn_percent)
        deadline = Deadline(
            estate=estate,
            content_type=content_type,
            object_id=subject.pk,
            kind=kind,
            started_at=started_at,
            due_at=due_at,
            warn_at=warn_at,
            escalation_step=ladder.step,
            max_escalation_level=ladder.top_level,
            working_days=rule["unit"] == "working_days",
            provisional=provisional,
            rule=rule,
        )
        deadline.next_check_at = next_check(
            now=now,
            warn_at=warn_at,
            warned_at=None,
            due_at=due_at,
            breached_at=None,
            level=0,
            max_level=ladder.top_level,
            step=ladder.step,
        )
        opened[kind] = deadline
    # One statement: the partial unique constraint (one open clock per subject and kind) skips
    # a kind whose clock is already running — opened earlier or by a concurrent transaction.
    inserted = {d.kind for d in insert_new(list(opened.values()), key=("kind",))}
    running = [kind for kind in opened if kind not in inserted]
    if running:
        for deadline in Deadline.objects.for_subject(subject).open().filter(kind__in=running):
            opened[deadline.kind] = deadline
    return opened


def deadline_meet(*, subject, kind: str, at: dt.datetime) -> Deadline | None:
    """Stamp the open deadline of `kind` met at `at`; idempotent (None when nothing is open)."""
    deadline = (
        Deadline.objects.for_subject(subject).open().filter(kind=kind).select_for_update().first()
    )
    if deadline is None:
        return None
    deadline.met_at = at
    deadline.next_check_at = None
    deadline.save(update_fields=["met_at", "next_check_at"])
    return deadline


def deadline_cancel(*, subject, kind: str | None = None, at: dt.datetime) -> int:
    qs = Deadline.objects.for_subject(subject).open()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(cancelled_at=at, next_check_at=None)


def deadline_reschedule(
    *, deadline: Deadline, rule: dict, now: dt.datetime | None = None
) -> Deadline:
    """Recompute an open, not yet breached deadline from its start under a new rule and its
    policy's ladder under the estate's current settings."""
    now = now or timezone.now()
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if not deadline.is_open or deadline.breached_at:
        return deadline  # a breach that happened stays on record
    ladder = policy_for(deadline.kind).ladder(deadline.estate.service_settings)
    due_at, provisional = compute_due(rule, timezone.localtime(deadline.started_at), WorkCalendar())
    deadline.rule = rule
    deadline.due_at = due_at
    deadline.provisional = provisional
    deadline.warn_at = warn_moment(deadline.started_at, due_at, ladder.warn_percent)
    deadline.escalation_step = ladder.step
    deadline.max_escalation_level = ladder.top_level
    deadline.next_check_at = next_check(
        now=now,
        warn_at=deadline.warn_at,
        warned_at=deadline.warned_at,
        due_at=due_at,
        breached_at=None,
        level=0,
        max_level=deadline.max_escalation_level,
        step=deadline.escalation_step,
    )
    deadline.save(
        update_fields=[
            "rule",
            "due_at",
            "provisional",
            "warn_at",
            "escalation_step",
            "max_escalation_level",
            "next_check_at",
        ]
    )
    return deadline


def deadlines_recompute(*, estate=None, working_days_only: bool = False) -> int:
    """Re-derive open deadlines after a policy or calendar change; returns how many moved."""
    qs = Deadline.objects.open().filter(breached_at__isnull=True).select_related("estate")
    if estate is not None:
        qs = qs.filter(estate=estate)
    if working_days_only:
        qs = qs.filter(working_days=True)
    moved = 0
    for deadline in qs.iterator():
        policy = policy_for(deadline.kind)
        rule = policy.current_rule(deadline, deadline.estate.service_settings) or deadline.rule
        with transaction.atomic():
            before = (deadline.due_at, deadline.provisional)
            after = deadline_reschedule(deadline=deadline, rule=rule)
            moved += (after.due_at, after.provisional) != before
    return moved


@receiver(calendar_changed)
def _recompute_after_calendar_change(sender, dates, **kwargs):
    deadlines_recompute(working_days_only=True)


# --- the sweep ----------------------------------------------------------------------------------


def sweep(now: dt.datetime | None = None, batch: int = 200) -> int:
    """Move every deadline whose next check has come; returns the number of rows handled."""
    handled = 0
    while True:
        now_ = now or timezone.now()
        with transaction.atomic():
            rows = list(
                # of=self: lock the deadline rows only, never the estate rows joined for reading.
                Deadline.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_check_at__lte=now_)
                .select_related("estate")
                .order_by("next_check_at")[:batch]
            )
            for deadline in rows:
                try:
                    with transaction.atomic():  # a savepoint: one bad row must not stall the rest
                        _advance(deadline, now_)
                except Exception:
                    logger.exception(
                        "deadline %s could not be advanced; retrying in a minute", deadline.pk
                    )
                    Deadline.objects.filter(pk=deadline.pk).update(
                        next_check_at=now_ + dt.timedelta(minutes=1)
                    )
        handled += len(rows)
        if len(rows) < batch:
            return handled


def _advance(deadline: Deadline, now: dt.datetime) -> None:
    """Called with the row locked. Each step writes its DeadlineEscalation row first; only a new
    row sends notifications."""
    if not deadline.is_open:
        deadline.next_check_at = None
        deadline.save(update_fields=["next_check_at"])
        return
    fields = {"next_check_at"}
    if deadline.breached_at is None and now >= deadline.due_at:
        deadline.breached_at = now
        fields.add("breached_at")
        _escalate(deadline, 1, now)
        deadline.escalation_level = 1
        fields.add("escalation_level")
    elif (
        deadline.breached_at is None
        and deadline.warned_at is None
        and deadline.warn_at
        and now >= deadline.warn_at
    ):
        deadline.warned_at = now
        fields.add("warned_at")
        _escalate(deadline, 0, now)
    while (
        deadline.breached_at is not None
        and deadline.escalation_level < deadline.max_escalation_level
        and now >= deadline.due_at + deadline.escalation_step * deadline.escalation_level
    ):
        deadline.escalation_level += 1
        fields.add("escalation_level")
        _escalate(deadline, deadline.escalation_level, now)
    deadline.next_check_at = next_check(
        now=now,
        warn_at=deadline.warn_at,
        warned_at=deadline.warned_at,
        due_at=deadline.due_at,
        breached_at=deadline.breached_at,
        level=deadline.escalation_level,
        max_level=deadline.max_escalation_level,
        step=deadline.escalation_step,
    )
    deadline.save(update_fields=sorted(fields))


def _escalate(deadline: Deadline, level: int, now: dt.datetime) -> None:
    policy = policy_for(deadline.kind)
    recipients = list(policy.recipients(deadline, level))
    escalation = DeadlineEscalation(
        deadline=deadline, level=level, at=now, notified=[u.get_username() for u in recipients]
    )
    if not insert_new([escalation], key=("level",)):
        return  # this level was reached before: its notifications went out then
    with translation.override(settings.LANGUAGE_CODE):
        title, body = policy.message(deadline, level)
    notify(
        recipients,
        title=title,
        body=body,
        url=policy.subject_url(deadline),
        estate=deadline.estate,
        level=Notification.Level.WARNING if level == 0 else Notification.Level.ALERT,
        dedupe_key=f"deadline:{deadline.pk}:{level}",
    )
