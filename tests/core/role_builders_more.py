"""More builders of tests/core/role_table.py (see tests/core/role_builders.py): the hand-over and
move-in flow, quality checks, rentals, move-out, the gate, the information relay, common-area
patrols and title certificates. Each builder takes the test's context and returns the request to
try, (url, body); what it needs first it finds in the demo data or makes through the API as the
estate's administrator (`ctx.run`), and the test undoes all of it after every role."""

from __future__ import annotations

from django.utils import timezone

from fees.selectors import balance
from inspections.models import (
    CheckKind,
    Defect,
    DefectType,
    MoveInAppointment,
    NonConformity,
    Problem,
    QualityTemplate,
    UnitHandover,
)
from propserv.models import Resident
from tests.core.role_builders import V, date, later
from visits.models import (
    CommonPatrol,
    Lease,
    MoveOut,
    PatrolPlace,
    RelayItem,
    RentalListing,
    RentalMatch,
    RentalSeeker,
    TitleCertificate,
)
from visits.services.moveout import outstanding_passes
from visits.services.patrols import round_times


def _found(row, what: str):
    assert row is not None, f"the demo has no {what}"
    return row


def _of(ctx, model, what: str, **filters):
    return _found(model.objects.filter(estate=ctx.estate, **filters).order_by("pk").first(), what)


# --- inspections: the problem list ---------------------------------------------------------------


def problem_body(ctx) -> dict:
    defect_type = _of(ctx, DefectType, "defect type")
    row = {"unit": ctx.unit.pk, "location": "客厅", "defect_type": defect_type.pk}
    return {"rows": [{**row, "severity": "minor", "description": "墙面开裂"}]}


def problems_add(ctx):
    return V + "handover/problems/", problem_body(ctx)


def _problem(ctx, fixed: bool = False) -> int:
    pk = ctx.run(V + "handover/problems/", problem_body(ctx))[0]["id"]
    if fixed:
        ctx.run(f"{V}handover/problems/{pk}/fix/", {"evidence": "已修补"})
    return pk


def problem_fix(ctx):
    return f"{V}handover/problems/{_problem(ctx)}/fix/", {"evidence": "已修补"}


def problem_recheck(ctx):
    return f"{V}handover/problems/{_problem(ctx, fixed=True)}/recheck/", {"passed": True}


# --- inspections: move-in appointments -----------------------------------------------------------


def appointment_book(ctx):
    """An owner whose unit is neither handed over nor booked."""
    handed = UnitHandover.objects.filter(unit__estate=ctx.estate).values("unit")
    booked = MoveInAppointment.objects.filter(
        estate=ctx.estate, status__in=MoveInAppointment.OPEN
    ).values("unit")
    owner = _found(
        Resident.objects.current()
        .filter(estate=ctx.estate, role=Resident.Role.OWNER)
        .exclude(unit__in=handed)
        .exclude(unit__in=booked)
        .order_by("pk")
        .first(),
        "owner left to book for move-in",
    )
    return V + "handover/appointments/", {"unit": owner.unit_id, "owner": owner.pk, "day": date(1)}


def _appointment(ctx, status: str, **filters) -> int:
    return _of(ctx, MoveInAppointment, f"move-in appointment {status}", status=status, **filters).pk


def appointment_arrive(ctx):
    return f"{V}handover/appointments/{_appointment(ctx, 'booked')}/arrive/", {}


def _arrived_without_blocking(ctx) -> int:
    blocking = Problem.objects.filter(severity="blocking").exclude(status="closed")
    arrived = MoveInAppointment.objects.filter(estate=ctx.estate, status="arrived")
    arrived = arrived.exclude(unit__in=blocking.values("unit")).order_by("pk")
    return _found(arrived.first(), "arrived move-in appointment without a blocking problem").pk


def appointment_accept(ctx):
    return f"{V}handover/appointments/{_arrived_without_blocking(ctx)}/accept/", {}


def appointment_refuse(ctx):
    pk = _appointment(ctx, "arrived")
    return f"{V}handover/appointments/{pk}/refuse/", {"reasons": "主卫渗水，修好再收房"}


def welcome_visit(ctx):
    pk = _appointment(ctx, "accepted", welcome_visited_at__isnull=True)
    return f"{V}handover/appointments/{pk}/welcome-visit/", {"note": "已上门拜访新业主"}


# --- inspections: quality checks -----------------------------------------------------------------


def quality_template(ctx):
    items = [{"text": "工牌佩戴", "specialty": "customer_service"}]
    return V + "quality/templates/", {
        "estate": ctx.estate.code,
        "kind": "self",
        "name": "客服自查",
        "items": items,
    }


def _check_body(ctx, kind: str) -> dict:
    template = _of(ctx, QualityTemplate, f"{kind} checklist", kind=kind, active=True)
    scored = kind in (CheckKind.MONTHLY, CheckKind.QUARTERLY)
    results = {i["code"]: (i["max_score"] if scored else "ok") for i in template.items}
    body = {"template": template.pk, "results": results}
    if kind == CheckKind.NIGHT:
        body.update(post="东门岗", on_duty="王保安")
    return body


def quality_check(kind: str):
    return lambda ctx: (V + "quality/checks/", _check_body(ctx, kind))


def _open_defect(ctx) -> int:
    return _of(ctx, Defect, "open quality defect", status="open").pk


def defect_fix(ctx):
    body = {"cause": "保洁漏扫", "fix": "已重新清洁并加密巡查"}
    return f"{V}quality/defects/{_open_defect(ctx)}/fix/", body


def defect_transfer(ctx):
    body = {"department": "engineering", "reason": "需工程部更换灯具"}
    return f"{V}quality/defects/{_open_defect(ctx)}/transfer/", body


def defect_verify(ctx):
    """A fixed defect and the next monthly check after it."""
    pk = _open_defect(ctx)
    ctx.run(f"{V}quality/defects/{pk}/fix/", {"cause": "保洁漏扫", "fix": "已重新清洁"})
    ctx.run(V + "quality/checks/", _check_body(ctx, CheckKind.MONTHLY))
    return f"{V}quality/defects/{pk}/verify/", {"passed": True, "notes": "复查合格"}


def nonconformity_close(ctx):
    nc = _found(
        NonConformity.objects.filter(
            quality_check__estate=ctx.estate, closed_at__isnull=True, exempt=False
        )
        .order_by("pk")
        .first(),
        "open non-conformity",
    )
    return f"{V}quality/nonconformities/{nc.pk}/close/", {"closure": "已批评教育，当班补岗"}


def weather_warning(ctx):
    body = {"estate": ctx.estate.code, "kind": "typhoon", "level": "蓝色", "starts_at": later(0)}
    return V + "quality/warnings/", body


# --- visits: rentals -----------------------------------------------------------------------------


def listing_register(ctx):
    """A current owner whose unit is not registered to let yet."""
    listed = RentalListing.objects.filter(estate=ctx.estate, status="open").values("unit")
    owner = _found(
        Resident.objects.current()
        .filter(estate=ctx.estate, role=Resident.Role.OWNER)
        .exclude(unit__in=listed)
        .order_by("pk")
        .first(),
        "owner with a unit not yet to let",
    )
    return V + "rental-listings/", {
        "estate": ctx.estate.code,
        "unit": owner.unit.code,
        "owner": owner.pk,
        "asking_rent": "3000.00",
        "available_from": date(0),
        "contact_consent": True,
    }


def _open_listing(ctx, *, unmatched: bool = False) -> RentalListing:
    listings = RentalListing.objects.filter(estate=ctx.estate, status="open").order_by("pk")
    if unmatched:
        listings = listings.exclude(pk__in=RentalMatch.objects.values("listing"))
    return _found(listings.first(), "open rental listing")


def listing_withdraw(ctx):
    return f"{V}rental-listings/{_open_listing(ctx).pk}/withdraw/", {}


def seeker_register(ctx):
    return V + "rental-seekers/", {
        "estate": ctx.estate.code,
        "name": "赵先生",
        "phone": "13600000009",
        "budget": "2500.00",
        "needs": "一房，近地铁",
    }


def match_propose(ctx):
    seeker = _of(ctx, RentalSeeker, "open rental seeker", status="open")
    listing = _open_listing(ctx, unmatched=True)
    return V + "rental-matches/", {"listing": listing.pk, "seeker": seeker.pk}


def _match(ctx) -> int:
    return _of(ctx, RentalMatch, "open rental match", status__in=["proposed", "viewing"]).pk


def match_book(ctx):
    return f"{V}rental-matches/{_match(ctx)}/book/", {"viewing_at": later(2)}


def match_viewed(ctx):
    return f"{V}rental-matches/{_match(ctx)}/viewed/", {"outcome": "满意，准备签约"}


def match_decline(ctx):
    return f"{V}rental-matches/{_match(ctx)}/decline/", {"outcome": "嫌贵"}


def lease_body(ctx) -> dict:
    return {
        "estate": ctx.estate.code,
        "unit": _open_listing(ctx).unit.code,
        "tenant_name": "郑先生",
        "tenant_phone": "13600000010",
        "monthly_rent": "3000.00",
        "signed_on": date(0),
        "starts_on": date(1),
        "ends_on": date(366),
    }


def lease_file(ctx):
    return V + "leases/", lease_body(ctx)


def lease_charge(ctx):
    """A lease the desk filed: its agency fee not charged yet."""
    lease = _of(ctx, Lease, "lease with its agency fee uncharged", agency_charge__isnull=True)
    return f"{V}leases/{lease.pk}/charge/", {}


# --- visits: move-out ----------------------------------------------------------------------------


def move_out_start(ctx):
    """A tenant without a move-out under way: a lease filed first."""
    tenant = ctx.run(V + "leases/", lease_body(ctx))["tenant"]
    return V + "move-outs/", {"tenant": tenant, "planned_on": date(10)}


def _move_out(ctx, *, passes_back: bool = False) -> MoveOut:
    """The demo's move-out; with `passes_back`, the unit's worker passes taken back first."""
    move_out = _of(ctx, MoveOut, "move-out under way", status="open")
    if passes_back:
        for worker_pass in outstanding_passes(move_out.unit, timezone.localdate()):
            ctx.run(f"{V}renovations/passes/{worker_pass.pk}/revoke/", {"reason": "已离场"})
    return move_out


def move_out_keys(ctx):
    move_out = _move_out(ctx, passes_back=True)
    return f"{V}move-outs/{move_out.pk}/keys/", {"note": "门禁卡两张已交回"}


def move_out_inspect(ctx):
    return f"{V}move-outs/{_move_out(ctx).pk}/inspect/", {"note": "房屋完好"}


def move_out_complete(ctx):
    """Fees settled, keys back, unit inspected."""
    move_out = _move_out(ctx, passes_back=True)
    owed = balance(move_out.unit)
    if owed > 0:
        ctx.run(V + "payments/", {"unit": move_out.unit_id, "amount": str(owed), "method": "cash"})
    ctx.run(f"{V}move-outs/{move_out.pk}/keys/", {"note": ""})
    ctx.run(f"{V}move-outs/{move_out.pk}/inspect/", {"note": "房屋完好"})
    return f"{V}move-outs/{move_out.pk}/complete/", {"moved_out_on": date(0)}


# --- visits: the gate and the parcels register ---------------------------------------------------


def visitor_register(ctx):
    return V + "gate-visitors/", {
        "estate": ctx.estate.code,
        "name": "孙先生",
        "unit": ctx.unit.code,
        "purpose": "探亲",
        "host_name": "业主",
        "host_agreed": True,
    }


def visitor_leave(ctx):
    pk = ctx.run(*visitor_register(ctx))["id"]
    return f"{V}gate-visitors/{pk}/leave/", {}


def parcel_body(ctx) -> dict:
    return {
        "estate": ctx.estate.code,
        "kind": "parcel",
        "description": "快递一件",
        "for_name": "王先生",
        "unit": ctx.unit.code,
        "left_by": "快递员",
    }


def parcel_log(ctx):
    return V + "parcels/", parcel_body(ctx)


def parcel_forward(ctx):
    pk = ctx.run(V + "parcels/", parcel_body(ctx))["id"]
    return f"{V}parcels/{pk}/forward/", {"to": "业主本人"}


def parcel_collect(ctx):
    pk = ctx.run(V + "parcels/", parcel_body(ctx))["id"]
    return f"{V}parcels/{pk}/collect/", {"collected_by": "王先生"}


# --- visits: the information relay ---------------------------------------------------------------


def relay_body(ctx, department: str = "engineering") -> dict:
    return {
        "estate": ctx.estate.code,
        "summary": "楼道灯不亮",
        "department": department,
        "reporter": "resident",
        "caller_name": "王先生",
        "unit": ctx.unit.code,
    }


def relay_report(ctx):
    return V + "relay-items/", relay_body(ctx)


def _relay(ctx, upto: str = "routed") -> int:
    """An item passed to engineering, whose head is the demo technician."""
    pk = ctx.run(V + "relay-items/", relay_body(ctx))["id"]
    item = RelayItem.objects.get(pk=pk)
    assert item.status == "routed", "the demo's engineering department has no head"
    if upto in ("done", "checked"):
        ctx.run(f"{V}relay-items/{pk}/done/", {"note": "已更换灯泡"})
    if upto == "checked":
        ctx.run(f"{V}relay-items/{pk}/check/", {"passed": True, "note": "已查验"})
    return pk


def relay_route(ctx):
    return f"{V}relay-items/{_relay(ctx)}/route/", {"department": "cleaning"}


def relay_expected(ctx):
    return f"{V}relay-items/{_relay(ctx)}/expected/", {
        "expected_on": date(5),
        "resident_told": True,
    }


def relay_done(ctx):
    return f"{V}relay-items/{_relay(ctx)}/done/", {"note": "已更换灯泡"}


def relay_check(ctx):
    return f"{V}relay-items/{_relay(ctx, 'done')}/check/", {"passed": True, "note": "已查验"}


def relay_callback(ctx):
    return f"{V}relay-items/{_relay(ctx, 'checked')}/callback/", {"note": "住户满意"}


# --- visits: common-area patrols and title certificates ------------------------------------------


def common_patrol(ctx):
    """A round of today not recorded yet: the afternoon's once it has started, else the morning's
    (the demo records the morning round; it is cleared here, inside the test's savepoint)."""
    now = timezone.now()
    today = timezone.localdate(now)
    done = set(
        CommonPatrol.objects.filter(
            estate=ctx.estate, day=today, done_at__isnull=False
        ).values_list("slot", flat=True)
    )
    slot = "am"
    if "am" in done and round_times(ctx.estate, today)["pm"][0] <= now and "pm" not in done:
        slot = "pm"
    elif "am" in done:
        CommonPatrol.objects.filter(estate=ctx.estate, day=today, slot="am").update(
            done_at=None, done_by=None
        )
    places = PatrolPlace.objects.filter(estate=ctx.estate, active=True).order_by("pk")
    checks = [{"place": p.pk, "result": "ok"} for p in places]
    assert checks, "the demo has no common-area patrol checklist"
    return V + "common-patrols/", {"estate": ctx.estate.code, "slot": slot, "checks": checks}


def _certificate(ctx) -> int:
    return _of(ctx, TitleCertificate, "title certificate waiting", stage="listed").pk


def title_advance(ctx):
    body = {"stage": "collected", "on": date(0)}
    return f"{V}title-certificates/{_certificate(ctx)}/advance/", body


def title_notified(ctx):
    pk = _certificate(ctx)
    for stage in ("collected", "submitted", "issued"):
        ctx.run(f"{V}title-certificates/{pk}/advance/", {"stage": stage, "on": date(0)})
    return f"{V}title-certificates/{pk}/notified/", {}
