"""How tests/core/test_role_matrix.py makes a valid request for each API write (see
tests/core/role_table.py): each builder prepares what the operation needs through the API as the
estate's administrator (`ctx.run`) and returns an id or a body; the test undoes all of it after
every role."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from propserv.models import EstateSettings
from propserv.roles import Role

R = Role

V = "/api/v1/"


def later(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def date(days: int) -> str:
    return str(timezone.localdate() + dt.timedelta(days=days))


# --- tickets ------------------------------------------------------------------------------------


def repair_body(ctx) -> dict:
    return {
        "estate": ctx.estate.code,
        "unit": ctx.unit.code,
        "category": ctx.category,
        "description": "厨房水管漏水",
        "reporter_name": "王先生",
        "reporter_phone": "13800001111",
    }


def repair(ctx, upto: str = "received", *, technician=None) -> int:
    """A repair taken through the desk and its technician (the demo's, unless another is named)
    up to state `upto`."""
    pk = ctx.run(V + "repairs/", repair_body(ctx))["id"]
    technician = technician or ctx.users[R.TECHNICIAN]
    steps = [
        ("dispatched", "dispatch", {"technician": technician.username}),
        ("on_site", "arrive", {}),
        ("in_progress", "start", {}),
        ("completed", "complete", {"labour_minutes": 30, "signed_by": "王先生"}),
    ]
    for state, action, body in steps:
        if upto == "received":
            break
        ctx.run(f"{V}repairs/{pk}/{action}/", body)
        if state == upto:
            break
    return pk


def complaint_body(ctx) -> dict:
    return {
        "estate": ctx.estate.code,
        "unit": ctx.unit.code,
        "complainant_name": "王女士",
        "complainant_phone": "13800002222",
        "category": "neighbour",
        "description": "楼上深夜噪音",
    }


def complaint(
    ctx, *, grade: str | None = "minor", replied: bool = False, handled: bool = False
) -> int:
    pk = ctx.run(V + "complaints/", complaint_body(ctx))["id"]
    if grade:
        ctx.run(f"{V}complaints/{pk}/grade/", {"grade": grade, "reason": "定级"})
    if replied or handled:
        ctx.run(f"{V}complaints/{pk}/reply/", {"channel": "phone", "text": "已答复"})
    if handled:
        ctx.run(f"{V}complaints/{pk}/handle/", {"outcome": "已处理"})
    return pk


def repair_callback(ctx) -> int:
    pk = repair(ctx, "completed")
    return ctx.callback_of(repair=pk)


def complaint_callback(ctx) -> int:
    return ctx.callback_of(complaint=complaint(ctx, handled=True))


def quoted(ctx) -> int:
    pk = repair(ctx, "in_progress")
    ctx.run(f"{V}repairs/{pk}/quote/", quote_body(ctx))
    return pk


def quote_body(ctx) -> dict:
    return {"lines": [{"price_item": ctx.price_item(), "quantity": "1"}]}


def dissatisfied_callback(ctx) -> int:
    pk = complaint_callback(ctx)
    ctx.run(f"{V}callbacks/{pk}/complete/", {"satisfaction": 1, "comment": "不满意"})
    return pk


# routine callbacks and the register of key households (tickets)


def routine_generate(ctx) -> tuple[str, dict]:
    return V + "routine-callbacks/generate/", {"estate": ctx.estate.code, "kind": "admin_visit"}


def routine_plan(ctx) -> tuple[str, dict]:
    body = {"estate": ctx.estate.code, "kind": "emergency", "unit": ctx.unit.code, "topic": "抢修"}
    return V + "routine-callbacks/", body


def key_household_body(ctx) -> dict:
    return {"estate": ctx.estate.code, "unit": ctx.unit.code, "reason": "空巢老人"}


def key_household_add(ctx) -> tuple[str, dict]:
    return V + "key-households/", key_household_body(ctx)


def key_household_remove(ctx) -> tuple[str, dict]:
    pk = ctx.run(V + "key-households/", key_household_body(ctx))["id"]
    return V + "key-households/remove/", {"id": pk, "reason": "已搬离"}


# --- visits -------------------------------------------------------------------------------------


def visit(ctx, category: str = "other") -> int:
    body = {
        "estate": ctx.estate.code,
        "channel": "walk_in",
        "category": category,
        "summary": "询问停车位",
        "unit": ctx.unit.code,
        "caller_name": "李先生",
        "caller_phone": "13800003333",
        "promised_answer_at": later(1),
    }
    return ctx.run(V + "visits/", body)["id"]


def resolved_visit(ctx) -> int:
    pk = visit(ctx)
    ctx.run(f"{V}visits/{pk}/resolve/", {"resolution": "已告知"})
    return pk


def notice_body(ctx, kind: str = "posted") -> dict:
    return {
        "estate": ctx.estate.code,
        "kind": kind,
        "title": "停水通知",
        "body": "明日停水",
        "valid_from": date(0),
        "valid_until": date(2),
    }


def notice(ctx, *, approved: bool = False, published: bool = False, kind="posted") -> int:
    pk = ctx.run(V + "notices/", notice_body(ctx, kind))["id"]
    if approved or published:
        ctx.run(f"{V}notices/{pk}/approve/", {})
    if published:
        ctx.run(f"{V}notices/{pk}/publish/", {})
    return pk


def notice_call(ctx) -> tuple[str, dict]:
    """A phone notice under way, and the outcome of its first call."""
    pk = ctx.run(V + "notices/", notice_body(ctx, "phone"))["id"]
    ctx.run(f"{V}notices/{pk}/publish/", {})
    body = {"call": ctx.first_call_of(pk), "outcome": "reached", "note": "已通知"}
    return f"{V}notices/{pk}/record-call/", body


# --- keys ---------------------------------------------------------------------------------------


def lend_body(ctx) -> dict:
    return {
        "borrower_staff": ctx.users[R.TECHNICIAN].pk,
        "phone": "13700000000",
        "count": 1,
        "reason": "查漏水",
    }


def loan(ctx, *, returned: bool = False, contractor: bool = False) -> int:
    key = ctx.free_key()
    body = lend_body(ctx)
    if contractor:
        person = ctx.contractor_person()
        body = {**body, "borrower_staff": None, "borrower_person": person.pk}
        body = {k: v for k, v in body.items() if v is not None}
        body["phone"] = person.phone
    pk = ctx.run(f"{V}keys/{key.pk}/lend/", body)["id"]
    if returned:
        ctx.run(f"{V}key-loans/{pk}/return/", {"count": 1})
    return pk


def rectifying_loan(ctx) -> int:
    pk = loan(ctx, returned=True, contractor=True)
    failed = {"facilities_intact": False, "clean": True, "rectification": "墙面划伤"}
    ctx.run(f"{V}key-loans/{pk}/inspect/", failed)
    return pk


# --- inspections --------------------------------------------------------------------------------


def apply_body(ctx) -> dict:
    owner = ctx.owner()
    return {
        "unit": owner.unit_id,
        "owner": owner.pk,
        "responsible": ctx.contractor_person().pk,
        "scope": ["walls", "floors"],
        "planned_start": date(3),
        "planned_end": date(40),
        "deposit": "3000.00",
    }


def renovation(ctx, state: str = "submitted") -> int:
    if state == "submitted":
        return ctx.run(V + "renovations/", apply_body(ctx))["id"]
    return ctx.renovation(state).pk


def checklist(ctx) -> dict:
    return dict.fromkeys(ctx.checklist_codes(), "ok")


def worker_pass(ctx) -> int:
    body = {"name": "李师傅", "id_last4": "1234", "trade": "mason", "valid_until": date(5)}
    return ctx.run(f"{V}renovations/{renovation(ctx, 'approved')}/passes/", body)["id"]


def release_slip(ctx) -> int:
    return ctx.run(V + "renovations/releases/", release_body(ctx))["id"]


def release_body(ctx) -> dict:
    return {
        "unit": ctx.unit.pk,
        "carrier_kind": "resident",
        "carrier_name": "王先生",
        "goods": "旧沙发",
        "quantity": 1,
        "valid_on": date(0),
    }


def rectification(ctx) -> int:
    pk = renovation(ctx, "approved")
    body = {"description": "垃圾未清运", "due_at": later(3)}
    ctx.run(f"{V}renovations/{pk}/notices/", body)
    return ctx.rectification_of(pk)


def awaiting_acceptance(ctx) -> int:
    pk = renovation(ctx, "approved")
    ctx.run(f"{V}renovations/{pk}/request-acceptance/", {})
    return pk


def patrolled_renovation(ctx) -> int:
    """An approved renovation whose estate patrols round the clock, so the slot the patrol falls
    in exists whatever the hour the test runs (patrol hours end at 21:00/22:00 by default)."""
    found = ctx.renovation("approved")
    EstateSettings.objects.filter(estate_id=found.estate_id).update(
        summer_patrol_start=dt.time(0, 0),
        summer_patrol_end=dt.time(23, 59, 59),
        winter_patrol_start=dt.time(0, 0),
        winter_patrol_end=dt.time(23, 59, 59),
    )
    return found.pk
