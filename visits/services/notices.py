"""Notices (通知, docs/domain.md, Notices): a posted notice is approved by the project manager
(and numbered) before it goes up; a written one goes to the mailboxes; a phone notice comes with
a call list of one household per unit. An emergency notice must be out within the estate's limit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, may, staff_of
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.models import Estate, Resident
from propserv.notifications import notify
from propserv.roles import NOTICE_APPROVERS, NOTICE_WITHDRAWERS, RECEPTION
from visits import rules
from visits.models import Notice, NoticeCall, NoticeCallAttempt

S = Notice.Status


def allowed_actions(notice: Notice, user) -> set[str]:
    """approve, publish, withdraw, call: what the page offers `user` for `notice` now."""
    actions: set[str] = set()
    estate = notice.estate_id
    if notice.status == S.DRAFT and may(user, estate, NOTICE_APPROVERS):
        actions.add("approve")
    if notice.status not in (S.PUBLISHED, S.WITHDRAWN) and may(user, estate, RECEPTION):
        if notice.kind != Notice.Kind.POSTED or notice.approved_at:
            actions.add("publish")
    if notice.status != S.WITHDRAWN and may(user, estate, NOTICE_WITHDRAWERS):
        actions.add("withdraw")
    if (
        notice.kind == Notice.Kind.PHONE
        and notice.status != S.WITHDRAWN
        and may(user, estate, RECEPTION)
    ):
        actions.add("call")
    return actions


def _call_list(notice: Notice) -> list[NoticeCall]:
    """One row per household: the unit's owner first, then other current residents."""
    residents = (
        Resident.objects.current()
        .filter(estate=notice.estate)
        .select_related("unit")
        .order_by("unit_id", "role", "pk")
    )
    if notice.building_id:
        residents = residents.filter(unit__building=notice.building_id)
    rank = {Resident.Role.OWNER: 0, Resident.Role.TENANT: 1, Resident.Role.FAMILY: 2}
    chosen: dict[int, Resident] = {}
    for resident in residents:
        current = chosen.get(resident.unit_id)
        usable = resident.phone and not resident.phone_invalid
        if current is None or (
            usable and (not current.phone or rank[resident.role] < rank[current.role])
        ):
            chosen[resident.unit_id] = resident
    return [
        NoticeCall(notice=notice, unit_id=unit_id, resident=r, phone=r.phone)
        for unit_id, r in chosen.items()
    ]


@transaction.atomic
def notice_create(
    *,
    estate,
    actor,
    kind: str,
    title: str,
    body: str,
    emergency: bool = False,
    building=None,
    valid_from=None,
    valid_until=None,
    now=None,
) -> Notice:
    check_actor(actor, estate=estate, roles=RECEPTION)
    now = now or timezone.now()
    if building is not None and building.estate_id != estate.pk:
        raise ValidationError({"building": _("Choose a building of this estate.")})
    if kind == Notice.Kind.POSTED and (valid_from is None or valid_until is None):
        raise ValidationError({"valid_until": _("A posted notice needs its validity dates.")})
    notice = Notice(
        estate=estate,
        building=building,
        kind=kind,
        emergency=emergency,
        title=title.strip(),
        body=body.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
        created_at=now,
    )
    notice.full_clean()
    notice.save()
    if kind == Notice.Kind.PHONE:
        NoticeCall.objects.bulk_create(_call_list(notice))
    if emergency:
        deadline_open(
            subject=notice,
            estate=estate,
            kind=rules.EMERGENCY_NOTICE,
            started_at=now,
            now=now,
            rule={"unit": "minutes", "amount": estate.service_settings.emergency_notice_minutes},
        )
    if kind == Notice.Kind.POSTED:
        notify(
            staff_of(estate, NOTICE_APPROVERS),
            title=(
                _("Urgent: approve emergency notice “%(title)s”")
                if emergency
                else _("Notice to approve: “%(title)s”")
            )
            % {"title": notice.title},
            body=notice.body[:500],
            url=notice.get_absolute_url(),
            estate=estate,
            level="alert" if emergency else "info",
            dedupe_key=f"notice:{notice.pk}:approve",
        )
    return notice


def lock_notice(notice_id: int, actor, roles, message) -> Notice:
    """The notice, locked for the caller's transaction, once `actor` is checked against it."""
    notice = (
        Notice.objects.select_for_update(of=("self",)).select_related("estate").get(pk=notice_id)
    )
    check_actor(actor, estate=notice.estate, roles=roles, message=message)
    return notice


@transaction.atomic
def notice_approve(*, notice_id: int, actor, now=None) -> Notice:
    """The project manager approves a posted notice; it gets the estate's next number."""
    now = now or timezone.now()
    notice = lock_notice(
        notice_id, actor, NOTICE_APPROVERS, _("Only the project manager approves notices.")
    )
    if notice.approved_at:
        return notice
    if notice.status != Notice.Status.DRAFT:
        raise InvalidTransition(_("Only a draft notice can be approved."))
    notice.approved_by, notice.approved_at = actor, now
    notice.status = Notice.Status.APPROVED
    fields = ["approved_by", "approved_at", "status"]
    if notice.kind == Notice.Kind.POSTED:
        # Numbers run per estate and year without gaps: the estate row serialises approvals.
        Estate.objects.select_for_update().get(pk=notice.estate_id)
        year = timezone.localtime(now).year
        last = Notice.objects.filter(estate=notice.estate, year=year).aggregate(m=Max("seq"))["m"]
        notice.year, notice.seq = year, (last or 0) + 1
        fields += ["year", "seq"]
    notice.save(update_fields=fields)
    return notice


@transaction.atomic
def notice_publish(*, notice_id: int, actor, now=None) -> Notice:
    """Posted on the boards / put in the mailboxes / calls started. A posted notice must have
    been approved first."""
    now = now or timezone.now()
    notice = lock_notice(notice_id, actor, RECEPTION, _("Only front-desk staff publish notices."))
    if notice.status == Notice.Status.PUBLISHED:
        return notice
    if notice.status == Notice.Status.WITHDRAWN:
        raise InvalidTransition(_("A withdrawn notice cannot be published."))
    if notice.kind == Notice.Kind.POSTED and not notice.approved_at:
        raise InvalidTransition(_("A posted notice needs the project manager's approval first."))
    notice.status, notice.published_at, notice.published_by = (
        Notice.Status.PUBLISHED,
        now,
        actor,
    )
    notice.save(update_fields=["status", "published_at", "published_by"])
    deadline_meet(subject=notice, kind=rules.EMERGENCY_NOTICE, at=now)
    return notice


@transaction.atomic
def notice_withdraw(*, notice_id: int, actor, now=None) -> Notice:
    now = now or timezone.now()
    notice = lock_notice(
        notice_id,
        actor,
        NOTICE_WITHDRAWERS,
        _("Only the supervisor or the project manager withdraws a notice."),
    )
    if notice.status == Notice.Status.WITHDRAWN:
        return notice
    notice.status, notice.withdrawn_at = Notice.Status.WITHDRAWN, now
    notice.save(update_fields=["status", "withdrawn_at"])
    deadline_cancel(subject=notice, at=now)
    return notice


@transaction.atomic
def notice_record_call(
    *, call_id: int, actor, outcome: str, note: str = "", now=None
) -> NoticeCall:
    """One call of a phone notice; a wrong number is flagged on the resident's record."""
    now = now or timezone.now()
    call = (
        NoticeCall.objects.select_for_update(of=("self",))
        .select_related("notice__estate", "resident")
        .get(pk=call_id)
    )
    check_actor(actor, estate=call.notice.estate, roles=RECEPTION)
    if outcome not in NoticeCall.Outcome.values or outcome == NoticeCall.Outcome.PENDING:
        raise ValidationError({"outcome": _("Choose the outcome of the call.")})
    if call.notice.status == Notice.Status.WITHDRAWN:
        raise InvalidTransition(_("This notice was withdrawn."))
    NoticeCallAttempt.objects.create(
        call=call, at=now, actor=actor, outcome=outcome, note=note.strip()[:200]
    )
    call.outcome, call.called_at, call.called_by = outcome, now, actor
    call.attempts += 1
    call.note = note.strip()[:200]
    call.save(update_fields=["outcome", "called_at", "called_by", "attempts", "note"])
    if outcome == NoticeCall.Outcome.WRONG_NUMBER and call.resident_id:
        resident = Resident.objects.select_for_update().get(pk=call.resident_id)
        if not resident.phone_invalid and resident.phone == call.phone:
            resident.phone_invalid = True
            resident.save(update_fields=["phone_invalid"])
    return call
