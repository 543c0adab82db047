"""The role table of tests/core/test_role_matrix.py: for every API write, the roles allowed to make
it, written from the business rules (docs/domain.md, "Who works here" and each app's section),
not from the code; each row names how to build a valid request (tests/core/role_builders.py)."""

from __future__ import annotations

from propserv.roles import Role
from tests.core import role_builders_more as m
from tests.core.role_builders import (
    V,
    apply_body,
    awaiting_acceptance,
    checklist,
    complaint,
    complaint_body,
    complaint_callback,
    date,
    dissatisfied_callback,
    key_household_add,
    key_household_remove,
    later,
    lend_body,
    loan,
    notice,
    notice_body,
    notice_call,
    patrolled_renovation,
    quote_body,
    quoted,
    rectification,
    rectifying_loan,
    release_body,
    release_slip,
    renovation,
    repair,
    repair_body,
    repair_callback,
    resolved_visit,
    routine_generate,
    routine_plan,
    visit,
    worker_pass,
)

R = Role
ALL = frozenset(R)
NOBODY: frozenset = frozenset()
DESK = frozenset({R.FRONT_DESK, R.AREA_ADMIN, R.SUPERVISOR, R.PROJECT_MANAGER})
MANAGERS = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER, R.QUALITY, R.GM})
OFFICE = DESK | MANAGERS
LEADS = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER})
# complaint callbacks and second handlings: the area administrator, supervisor, project manager
CALLERS = frozenset({R.AREA_ADMIN, R.SUPERVISOR, R.PROJECT_MANAGER})
# the patrol guard and the cabinet keepers inspect units and patrol renovations
INSPECTORS = frozenset({R.PATROL, R.AREA_ADMIN, R.SUPERVISOR})
# staff who inspect units before hand-over and do their own daily self-check: all but finance
STAFF = OFFICE | {R.PATROL, R.TECHNICIAN}
# the gate: the desk and the guard on duty there
GATE = DESK | {R.PATROL}
# one-off charges from the price list (an agency fee): finance and the project manager
CHARGERS = frozenset({R.FINANCE, R.PROJECT_MANAGER})

# --- the table ----------------------------------------------------------------------------------
# (path, allowed roles, build(ctx) -> (url, body)). A role not in the set must be refused.
P = "POST "
TABLE = {
    # tickets: the desk opens, dispatches, holds, cancels and calls back repairs; the technician
    # works the job on site (the desk may record what the technician reports)
    P + V + "repairs/": (DESK, lambda c: (V + "repairs/", repair_body(c))),
    P + V + "repairs/{id}/dispatch/": (
        DESK,
        lambda c: (
            f"{V}repairs/{repair(c)}/dispatch/",
            {"technician": c.users[R.TECHNICIAN].username},
        ),
    ),
    P + V + "repairs/{id}/arrive/": (
        DESK | {R.TECHNICIAN},
        lambda c: (f"{V}repairs/{repair(c, 'dispatched')}/arrive/", {}),
    ),
    P + V + "repairs/{id}/start/": (
        DESK | {R.TECHNICIAN},
        lambda c: (f"{V}repairs/{repair(c, 'on_site')}/start/", {}),
    ),
    P + V + "repairs/{id}/complete/": (
        DESK | {R.TECHNICIAN},
        lambda c: (
            f"{V}repairs/{repair(c, 'in_progress')}/complete/",
            {"labour_minutes": 30, "signed_by": "王先生"},
        ),
    ),
    # cannot finish now (a part, no access): the technician on the job or the desk agrees a new
    # time with the resident
    # the technician works their own jobs only: on a colleague's job they are refused
    P + V + "repairs/{id}/arrive/ [a colleague's job]": (
        DESK,
        lambda c: (f"{V}repairs/{repair(c, 'dispatched', technician=c.colleague)}/arrive/", {}),
    ),
    P + V + "repairs/{id}/complete/ [a colleague's job]": (
        DESK,
        lambda c: (
            f"{V}repairs/{repair(c, 'in_progress', technician=c.colleague)}/complete/",
            {"labour_minutes": 30, "signed_by": "王先生"},
        ),
    ),
    P + V + "repairs/{id}/hold/": (
        DESK | {R.TECHNICIAN},
        lambda c: (
            f"{V}repairs/{repair(c, 'dispatched')}/hold/",
            {"reason": "等配件", "until": later(2)},
        ),
    ),
    P + V + "repairs/{id}/cancel/": (
        DESK,
        lambda c: (f"{V}repairs/{repair(c)}/cancel/", {"reason": "住户取消"}),
    ),
    # the desk calls back, never the technician who did the work
    P + V + "repairs/{id}/callback/": (
        DESK,
        lambda c: (f"{V}repairs/{repair(c, 'completed')}/callback/", {"satisfaction": 5}),
    ),
    P + V + "repairs/{id}/reopen/": (
        DESK,
        lambda c: (f"{V}repairs/{repair(c, 'completed')}/reopen/", {"reason": "住户称仍漏水"}),
    ),
    # a paid repair: the technician on site quotes and takes the resident's consent
    P + V + "repairs/{id}/quote/": (
        DESK | {R.TECHNICIAN},
        lambda c: (f"{V}repairs/{repair(c, 'in_progress')}/quote/", quote_body(c)),
    ),
    P + V + "repairs/{id}/consent/": (
        DESK | {R.TECHNICIAN},
        lambda c: (f"{V}repairs/{quoted(c)}/consent/", {"resident_name": "王先生"}),
    ),
    # complaints: the office (desk and managers) records, grades, replies, handles, reports up
    P + V + "complaints/": (OFFICE, lambda c: (V + "complaints/", complaint_body(c))),
    P + V + "complaints/{id}/grade/": (
        OFFICE,
        lambda c: (
            f"{V}complaints/{complaint(c, grade=None)}/grade/",
            {"grade": "minor", "reason": "定级"},
        ),
    ),
    P + V + "complaints/{id}/reply/": (
        OFFICE,
        lambda c: (
            f"{V}complaints/{complaint(c)}/reply/",
            {"channel": "phone", "text": "已答复"},
        ),
    ),
    P + V + "complaints/{id}/handle/": (
        OFFICE,
        lambda c: (f"{V}complaints/{complaint(c, replied=True)}/handle/", {"outcome": "已处理"}),
    ),
    P + V + "complaints/{id}/report-up/": (
        OFFICE,
        lambda c: (
            f"{V}complaints/{complaint(c)}/report-up/",
            {"reported_to": [c.users[R.QUALITY].username], "note": "请关注"},
        ),
    ),
    # a minor complaint's longer handling time: the project manager or the general manager
    P + V + "complaints/{id}/extend/": (
        frozenset({R.PROJECT_MANAGER, R.GM}),
        lambda c: (
            f"{V}complaints/{complaint(c)}/extend/",
            {"new_due_at": later(30), "reason": "需要更换配件"},
        ),
    ),
    # the general manager names the owner of a major complaint
    P + V + "complaints/{id}/owner/": (
        frozenset({R.GM}),
        lambda c: (
            f"{V}complaints/{complaint(c, grade='major')}/owner/",
            {"owner": c.users[R.QUALITY].username},
        ),
    ),
    # repair callbacks: the desk; complaint callbacks: the callers
    P + V + "callbacks/{id}/attempt/": (
        DESK,
        lambda c: (f"{V}callbacks/{repair_callback(c)}/attempt/", {"outcome": "no_answer"}),
    ),
    # the callers (area administrator, supervisor, project manager) share out complaint callbacks
    P + V + "callbacks/{id}/assign/": (
        CALLERS,
        lambda c: (
            f"{V}callbacks/{complaint_callback(c)}/assign/",
            {"assigned_to": c.users[R.AREA_ADMIN].username},
        ),
    ),
    P + V + "callbacks/{id}/attempt/ [complaint]": (
        CALLERS,
        lambda c: (f"{V}callbacks/{complaint_callback(c)}/attempt/", {"outcome": "no_answer"}),
    ),
    P + V + "callbacks/{id}/second-handling-done/": (
        CALLERS,
        lambda c: (
            f"{V}callbacks/{dissatisfied_callback(c)}/second-handling-done/",
            {"outcome": "已上门再次处理"},
        ),
    ),
    P + V + "callbacks/{id}/complete/": (
        CALLERS,
        lambda c: (f"{V}callbacks/{complaint_callback(c)}/complete/", {"satisfaction": 5}),
    ),
    # routine callbacks: the callers plan the period's household visits; the desk plans
    # paid-service and emergency callbacks and keeps the register of key households, which the
    # callers take households off
    P + V + "routine-callbacks/generate/": (CALLERS, routine_generate),
    P + V + "routine-callbacks/": (DESK, routine_plan),
    P + V + "key-households/": (DESK, key_household_add),
    P + V + "key-households/remove/": (CALLERS, key_household_remove),
    # reception: the desk logs every contact and works it to the callback
    P + V + "visits/": (
        DESK,
        lambda c: (
            V + "visits/",
            {
                "estate": c.estate.code,
                "channel": "phone",
                "category": "other",
                "summary": "询问停车位",
                "caller_name": "李先生",
                "caller_phone": "13800003333",
                "resolved_on_spot": True,
                "handling": "已告知车位办理流程",
            },
        ),
    ),
    P + V + "visits/{id}/note/": (
        DESK,
        lambda c: (f"{V}visits/{visit(c)}/note/", {"note": "已联系物业"}),
    ),
    P + V + "visits/{id}/resolve/": (
        DESK,
        lambda c: (f"{V}visits/{visit(c)}/resolve/", {"resolution": "已告知"}),
    ),
    P + V + "visits/{id}/to-repair/": (
        DESK,
        lambda c: (
            f"{V}visits/{visit(c, 'repair')}/to-repair/",
            {"category": c.category, "description": "卫生间漏水"},
        ),
    ),
    P + V + "visits/{id}/to-complaint/": (
        DESK,
        lambda c: (
            f"{V}visits/{visit(c, 'complaint')}/to-complaint/",
            {"description": "噪音", "demand": "请处理"},
        ),
    ),
    P + V + "visits/{id}/callback/": (
        DESK,
        lambda c: (f"{V}visits/{resolved_visit(c)}/callback/", {"note": "住户满意"}),
    ),
    P + V + "visits/{id}/take/": (DESK, lambda c: (f"{V}visits/{c.web_report()}/take/", {})),
    P + V + "handovers/": (
        DESK,
        lambda c: (V + "handovers/", {"estate": c.estate.code, "note": "交班"}),
    ),
    # notices: the desk writes, publishes and phones out; the project manager approves;
    # the supervisor or project manager withdraws
    P + V + "notices/": (DESK, lambda c: (V + "notices/", notice_body(c))),
    P + V + "notices/{id}/approve/": (
        frozenset({R.PROJECT_MANAGER}),
        lambda c: (f"{V}notices/{notice(c)}/approve/", {}),
    ),
    P + V + "notices/{id}/publish/": (
        DESK,
        lambda c: (f"{V}notices/{notice(c, approved=True)}/publish/", {}),
    ),
    P + V + "notices/{id}/record-call/": (DESK, notice_call),
    P + V + "notices/{id}/withdraw/": (
        LEADS,
        lambda c: (f"{V}notices/{notice(c, published=True)}/withdraw/", {}),
    ),
    # keys: the desk registers, lends, moves and takes back; the inspectors inspect after a
    # contractor's loan
    P + V + "keys/": (
        DESK,
        lambda c: (
            V + "keys/",
            {
                "estate": c.estate.code,
                "kind": "common",
                "area": "水泵房",
                "count": 1,
                "slot": "Z-9",
            },
        ),
    ),
    P + V + "keys/{id}/lend/": (DESK, lambda c: (f"{V}keys/{c.free_key().pk}/lend/", lend_body(c))),
    P + V + "key-loans/": (
        DESK,
        lambda c: (V + "key-loans/", {**lend_body(c), "key": c.free_key().pk}),
    ),
    P + V + "keys/{id}/move/": (
        DESK,
        lambda c: (f"{V}keys/{c.free_key().pk}/move/", {"slot": "Z-8", "reason": "整理"}),
    ),
    P + V + "key-loans/{id}/return/": (
        DESK,
        lambda c: (f"{V}key-loans/{loan(c)}/return/", {"count": 1}),
    ),
    P + V + "key-loans/{id}/reissue/": (
        DESK,
        lambda c: (f"{V}key-loans/{rectifying_loan(c)}/reissue/", {"due_at": later(1)}),
    ),
    P + V + "key-loans/{id}/inspect/": (
        INSPECTORS,
        lambda c: (
            f"{V}key-loans/{loan(c, returned=True, contractor=True)}/inspect/",
            {"facilities_intact": True, "clean": True},
        ),
    ),
    # fees: the cashiers (finance and the front desk) take payments; finance alone reverses
    P + V + "payments/": (
        frozenset({R.FINANCE, R.FRONT_DESK}),
        lambda c: (V + "payments/", {"unit": c.unit.pk, "amount": "10.00", "method": "cash"}),
    ),
    P + V + "payments/{id}/reverse/": (
        frozenset({R.FINANCE}),
        lambda c: (f"{V}payments/{c.payment()}/reverse/", {"reason": "收错户"}),
    ),
    # renovation: the desk takes applications, issues passes and release slips, requests
    # acceptance; the supervisor or project manager approves or rejects; the patrollers patrol,
    # issue rectification notices and accept; everyone who follows renovations checks at the gate
    P + V + "renovations/": (DESK, lambda c: (V + "renovations/", apply_body(c))),
    P + V + "renovations/{id}/approve/": (
        LEADS,
        lambda c: (f"{V}renovations/{renovation(c)}/approve/", {"conditions": ""}),
    ),
    P + V + "renovations/{id}/reject/": (
        LEADS,
        lambda c: (f"{V}renovations/{renovation(c)}/reject/", {"reasons": "图纸不全"}),
    ),
    P + V + "renovations/{id}/passes/": (
        DESK,
        lambda c: (
            f"{V}renovations/{renovation(c, 'approved')}/passes/",
            {"name": "李师傅", "id_last4": "1234", "trade": "mason", "valid_until": date(5)},
        ),
    ),
    P + V + "renovations/{id}/patrol/": (
        INSPECTORS,
        lambda c: (
            f"{V}renovations/{patrolled_renovation(c)}/patrol/",
            {"items": checklist(c)},
        ),
    ),
    P + V + "renovations/{id}/notices/": (
        INSPECTORS,
        lambda c: (
            f"{V}renovations/{renovation(c, 'approved')}/notices/",
            {"description": "垃圾未清运", "due_at": later(3)},
        ),
    ),
    P + V + "renovations/{id}/request-acceptance/": (
        DESK,
        lambda c: (f"{V}renovations/{renovation(c, 'approved')}/request-acceptance/", {}),
    ),
    P + V + "renovations/releases/": (
        DESK,
        lambda c: (V + "renovations/releases/", release_body(c)),
    ),
    P + V + "renovations/passes/{id}/revoke/": (
        DESK,
        lambda c: (f"{V}renovations/passes/{worker_pass(c)}/revoke/", {"reason": "已离场"}),
    ),
    # the gate check: everyone who follows renovations (the office and the patrol guard)
    P + V + "renovations/releases/{id}/use/": (
        OFFICE | {R.PATROL},
        lambda c: (f"{V}renovations/releases/{release_slip(c)}/use/", {}),
    ),
    P + V + "renovations/rectifications/{id}/reinspect/": (
        INSPECTORS,
        lambda c: (
            f"{V}renovations/rectifications/{rectification(c)}/reinspect/",
            {"passed": True, "notes": "已整改"},
        ),
    ),
    P + V + "renovations/{id}/acceptance/": (
        INSPECTORS,
        lambda c: (
            f"{V}renovations/{awaiting_acceptance(c)}/acceptance/",
            {"items": checklist(c)},
        ),
    ),
    # hand-over (docs/domain.md "Hand-over and move-in"): staff inspect units and enter, fix and
    # re-check problems on a phone; the desk books, receives and records the owner's decision and
    # makes the welcome visit
    P + V + "handover/problems/": (STAFF, m.problems_add),
    P + V + "handover/problems/{id}/fix/": (STAFF, m.problem_fix),
    P + V + "handover/problems/{id}/recheck/": (STAFF, m.problem_recheck),
    P + V + "handover/appointments/": (DESK, m.appointment_book),
    P + V + "handover/appointments/{id}/arrive/": (DESK, m.appointment_arrive),
    P + V + "handover/appointments/{id}/accept/": (DESK, m.appointment_accept),
    P + V + "handover/appointments/{id}/refuse/": (DESK, m.appointment_refuse),
    P + V + "handover/appointments/{id}/welcome-visit/": (DESK, m.welcome_visit),
    # quality checks: the quality department and the project manager keep the checklists; the
    # staff do their own daily self-check, the office head and supervisors the daily and night
    # checks, the quality department the scored monthly check and verifies each closure; the
    # office (supervisor, project manager) records a defect's cause and fix or sends it up; the
    # office closes a non-conformity and logs a weather warning
    P + V + "quality/templates/": (frozenset({R.QUALITY, R.PROJECT_MANAGER}), m.quality_template),
    P + V + "quality/checks/ [daily self-check]": (STAFF, m.quality_check("self")),
    P + V + "quality/checks/ [supervisor's daily check]": (
        frozenset({R.SUPERVISOR, R.PROJECT_MANAGER, R.QUALITY}),
        m.quality_check("supervisor"),
    ),
    P + V + "quality/checks/ [night spot check]": (
        frozenset({R.SUPERVISOR, R.PROJECT_MANAGER, R.QUALITY}),
        m.quality_check("night"),
    ),
    P + V + "quality/checks/ [monthly scored check]": (
        frozenset({R.QUALITY}),
        m.quality_check("monthly"),
    ),
    P + V + "quality/defects/{id}/fix/": (LEADS, m.defect_fix),
    P + V + "quality/defects/{id}/transfer/": (LEADS, m.defect_transfer),
    P + V + "quality/defects/{id}/verify/": (frozenset({R.QUALITY}), m.defect_verify),
    P + V + "quality/nonconformities/{id}/close/": (OFFICE, m.nonconformity_close),
    P + V + "quality/warnings/": (OFFICE, m.weather_warning),
    # rentals and move-out: the desk registers owners and seekers, matches, books viewings and
    # files the lease; the agency fee is charged like any one-off item; the desk works the tenant's
    # move-out checklist
    P + V + "rental-listings/": (DESK, m.listing_register),
    P + V + "rental-listings/{id}/withdraw/": (DESK, m.listing_withdraw),
    P + V + "rental-seekers/": (DESK, m.seeker_register),
    P + V + "rental-matches/": (DESK, m.match_propose),
    P + V + "rental-matches/{id}/book/": (DESK, m.match_book),
    P + V + "rental-matches/{id}/viewed/": (DESK, m.match_viewed),
    P + V + "rental-matches/{id}/decline/": (DESK, m.match_decline),
    P + V + "leases/": (DESK, m.lease_file),
    P + V + "leases/{id}/charge/": (CHARGERS, m.lease_charge),
    P + V + "move-outs/": (DESK, m.move_out_start),
    P + V + "move-outs/{id}/keys/": (DESK, m.move_out_keys),
    P + V + "move-outs/{id}/inspect/": (DESK, m.move_out_inspect),
    P + V + "move-outs/{id}/complete/": (DESK, m.move_out_complete),
    # the gate: visitors and parcels are registered by the desk or the guard at the gate
    P + V + "gate-visitors/": (GATE, m.visitor_register),
    P + V + "gate-visitors/{id}/leave/": (GATE, m.visitor_leave),
    P + V + "parcels/": (GATE, m.parcel_log),
    P + V + "parcels/{id}/forward/": (GATE, m.parcel_forward),
    P + V + "parcels/{id}/collect/": (GATE, m.parcel_collect),
    # information relay: the desk logs, routes, checks and calls back; the department head (the
    # demo's engineering head is the technician) or the desk reports the expected date and done
    P + V + "relay-items/": (DESK, m.relay_report),
    P + V + "relay-items/{id}/route/": (DESK, m.relay_route),
    P + V + "relay-items/{id}/expected/": (DESK | {R.TECHNICIAN}, m.relay_expected),
    P + V + "relay-items/{id}/done/": (DESK | {R.TECHNICIAN}, m.relay_done),
    P + V + "relay-items/{id}/check/": (DESK, m.relay_check),
    P + V + "relay-items/{id}/callback/": (DESK, m.relay_callback),
    # common-area rounds: the administrators (and the supervisors and project manager above them)
    P + V + "common-patrols/": (CALLERS, m.common_patrol),
    # title certificates: the desk follows each stage and tells the owner
    P + V + "title-certificates/{id}/advance/": (DESK, m.title_advance),
    P + V + "title-certificates/{id}/notified/": (DESK, m.title_notified),
    # notifications are each user's own: everyone may mark theirs read
    P + V + "notifications/read-all/": (ALL, lambda c: (V + "notifications/read-all/", {})),
    # the working-day calendar is kept by administrators, none of the nine roles
    P + V + "calendar/": (
        NOBODY,
        lambda c: (V + "calendar/", {"date": "2026-10-09", "kind": "holiday", "name": "调休"}),
    ),
}

# Operations of the schema without a cell here yet, each with why.
NOT_COVERED = {
    P + V + "auth/token/": "public: the sign-in itself (tests/core/test_api.py)",
    P + V + "handovers/{id}/acknowledge/": "only the named recipient may: personal, not by role",
    P + V + "notifications/{id}/read/": "personal: each user's own notification, not by role",
    "DELETE " + V + "auth/token/": "personal: signs the caller out",
}
