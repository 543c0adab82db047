"""Who is who: the staff roles and the role sets named by purpose, in one place.

A role is a Django group of the same name. Services check the actor's role and estate themselves
(`propserv.access.check_actor`), so web pages, the API, the admin and tasks all get the same rule;
pages ask the same sets (through each app's `allowed_actions`) so they only offer what the service
would accept. The sets are written from what each role does at the desk (docs/domain.md, "Who
works here"), not from the code that uses them. Nothing here touches the database but the
actor's own groups.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles; each is a Django group of the same name."""

    FRONT_DESK = "frontdesk", _("Front-desk receptionist")
    AREA_ADMIN = "area_admin", _("Area administrator")
    SUPERVISOR = "supervisor", _("Customer-service supervisor")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    QUALITY = "quality", _("Quality department")
    GM = "gm", _("General manager")
    TECHNICIAN = "technician", _("Technician")
    PATROL = "patrol", _("Patrol guard")
    FINANCE = "finance", _("Finance")


R = Role

# --- shared by every app ------------------------------------------------------------------------
# The people who staff the customer-service desk: log contacts, open tickets, dispatch, lend keys,
# publish notices, take over a shift's open items.
DESK = frozenset({R.FRONT_DESK, R.AREA_ADMIN, R.SUPERVISOR, R.PROJECT_MANAGER})
# Managers who review figures and take escalations.
MANAGERS = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER, R.QUALITY, R.GM})
# Every office role (all but the field staff and finance).
OFFICE = DESK | MANAGERS
# They phone residents back, so they see whole numbers; everyone else sees 138****5678.
PHONE_VIEWERS = DESK
# Changes who owns a reception entry outside a shift handover; withdraws a notice.
DESK_LEADS = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER})

# --- tickets: repairs, complaints, callbacks ----------------------------------------------------
# Open, dispatch, put on hold, cancel a repair; the technician acts on their own job only.
REPAIR_DESK = DESK
# Call a resident back after a repair (not the technician who did the job).
REPAIR_CALLERS = DESK
# Work a complaint: record it, grade it, reply, add notes, report it upward.
COMPLAINT_HANDLERS = OFFICE
# May grade a complaint at all (the grade rules narrow which grades each may give).
CAN_GRADE_COMPLAINTS = OFFICE
# Lower a complaint already graded major or important.
CAN_DOWNGRADE_COMPLAINTS = frozenset({R.QUALITY, R.GM})
# Receive a complaint reported upward.
COMPLAINT_REPORT_TARGETS = MANAGERS
# Make complaint callbacks and run second handlings after a dissatisfied callback.
CALLBACK_CALLERS = frozenset({R.AREA_ADMIN, R.SUPERVISOR, R.PROJECT_MANAGER})
# Work a repair on site (their own job only; the desk may record what they report).
REPAIR_TECHNICIANS = frozenset({R.TECHNICIAN})
# Record a second handling after a dissatisfied callback (besides the two people it names).
SECOND_HANDLERS = CALLBACK_CALLERS
# Name the owner of a major complaint.
MAJOR_COMPLAINT_OWNER_NAMERS = frozenset({R.GM})
# Read and file the monthly complaint summary and the repeat lists.
COMPLAINT_REVIEWERS = MANAGERS

# --- visits: reception, handover, notices, registers --------------------------------------------
# Log a contact and work it to the callback; convert it to a repair, complaint or defect form;
# hand the shift over and acknowledge the next; keep the lost-and-found register; write, publish
# and phone out notices; follow the developer's defect rework.
RECEPTION = DESK
# Open the reception pages at all (the header's Reception and Resident lookup): everyone but a
# technician, who works from their own jobs.
RECEPTION_READERS = frozenset(R) - {R.TECHNICIAN}
# Approve a posted notice (it then gets its number).
NOTICE_APPROVERS = frozenset({R.PROJECT_MANAGER})
# Withdraw a notice.
NOTICE_WITHDRAWERS = DESK_LEADS
# Read praise and suggestions and mark them seen.
PRAISE_READERS = frozenset({R.PROJECT_MANAGER})
# Record a major incident: whoever is on duty in the office or on patrol when it happens.
INCIDENT_RECORDERS = OFFICE | frozenset({R.PATROL})
# Close an incident with its outcome.
INCIDENT_CLOSERS = MANAGERS

# --- keys -----------------------------------------------------------------------------------------
# Everyone who needs to know where a key is.
KEY_VIEWERS = DESK | frozenset({R.PATROL, R.QUALITY, R.GM})
# Register, lend and take back keys.
KEY_DESK = DESK
# Inspect a unit after a contractor's loan, and vacant units.
KEY_INSPECTORS = frozenset({R.PATROL, R.AREA_ADMIN, R.SUPERVISOR})
# Approve a loan longer than the estate's limit.
KEY_LOAN_APPROVERS = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER})
# Keep the cabinet: receive entrusted keys from the front desk.
KEY_CUSTODIANS = frozenset({R.AREA_ADMIN, R.SUPERVISOR})
# Plan the vacant units' inspections and record them: the desk or the inspectors.
KEY_VACANT_INSPECTORS = KEY_DESK | KEY_INSPECTORS

# --- fees -------------------------------------------------------------------------------------------
CASHIERS = frozenset({R.FINANCE, R.FRONT_DESK})
FEE_MANAGERS = frozenset({R.FINANCE, R.PROJECT_MANAGER})
# See accounts, statements and arrears: whoever takes payments or chases arrears, and managers.
FEE_VIEWERS = CASHIERS | FEE_MANAGERS | MANAGERS | frozenset({R.AREA_ADMIN})
# Reverse a payment, refund credit, cancel a charge, run billing, close a period: finance only.
FEE_FINANCE = frozenset({R.FINANCE})
# Set tariffs and charge one-off items and paid repairs.
FEE_TARIFF_SETTERS = FEE_MANAGERS
# Log arrears reminders (visit, phone, letter) and prepare the arrears notice.
ARREARS_CHASERS = frozenset(
    {R.FINANCE, R.FRONT_DESK, R.AREA_ADMIN, R.SUPERVISOR, R.PROJECT_MANAGER}
)
# Approve the public arrears notice before it is posted.
ARREARS_NOTICE_APPROVERS = frozenset({R.PROJECT_MANAGER})

# --- inspections: renovation ---------------------------------------------------------------------
PATROLLERS = frozenset({R.PATROL, R.AREA_ADMIN, R.SUPERVISOR})
# Renovation: everyone who follows renovations (the office and the patrol guard),
# the gate check included; the desk takes applications, issues worker passes and goods release
# slips and requests acceptance; the supervisor or project manager approves or rejects a permit;
# the patrollers patrol, issue rectification notices and stop-work orders, re-inspect and accept.
RENOVATION_VIEWERS = OFFICE | frozenset({R.PATROL})
RENOVATION_DESK = DESK
RENOVATION_APPROVERS = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER})

# --- inspections: quality checks (品质检查) ---------------------------------------------------------
# The quality pages (nav "Quality"): the quality department and the managers.
QUALITY_VIEWERS = MANAGERS
# Keep the estate's checklist templates.
QUALITY_TEMPLATE_KEEPERS = frozenset({R.QUALITY, R.PROJECT_MANAGER})
# Who does each kind of check: the staff themselves (daily self-check), the office head and the
# specialist supervisors (daily check, night spot check), the quality department (scored checks).
QUALITY_SELF_CHECKERS = OFFICE | frozenset({R.PATROL, R.TECHNICIAN})
QUALITY_SUPERVISORS = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER, R.QUALITY})
QUALITY_INSPECTORS = frozenset({R.QUALITY})
# The office: record a defect's cause and fix, send it up on a fault transfer form, close a
# non-conformity, log a weather warning.
QUALITY_OFFICE = frozenset({R.SUPERVISOR, R.PROJECT_MANAGER})
QUALITY_CLOSERS = OFFICE
WEATHER_RECORDERS = OFFICE

# --- inspections: hand-over and move-in (入伙) ------------------------------------------------------
# Hand-over and move-in (issue 16): inspectors (the office, patrol guards, technicians) enter
# and close problems on a phone; they and finance (who bills the move-in charges on the day)
# follow the problem lists and the move-in board; the desk books owners, receives them and
# records acceptance or refusal; the supervisor or project manager plans move-in and sets the
# project's milestones.
HANDOVER_INSPECTORS = OFFICE | frozenset({R.PATROL, R.TECHNICIAN})
HANDOVER_VIEWERS = HANDOVER_INSPECTORS | frozenset({R.FINANCE})
HANDOVER_DESK = DESK
HANDOVER_PLANNERS = DESK_LEADS


def user_roles(user) -> set[str]:
    """The role names of `user` (read once per request and remembered on the user object)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_propserv_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._propserv_roles = cached
    return cached


def remember_scope(user, *, roles, estate_ids) -> None:
    """Keep the roles and estate ids read along with `user` (by the API's token authentication)
    on this user object, so that this request asks the database for them no more."""
    user._propserv_roles = set(roles)
    user._propserv_estate_ids = list(estate_ids)


def has_role(user, *roles) -> bool:
    """Whether `user` holds any of `roles` (role names or role sets); superusers always do."""
    wanted: set[str] = set()
    for role in roles:
        wanted.update((role,) if isinstance(role, str) else role)
    return (
        user is not None
        and user.is_authenticated
        and (user.is_superuser or bool(user_roles(user) & wanted))
    )


def can_see_phones(user) -> bool:
    return has_role(user, PHONE_VIEWERS)


def is_manager(user) -> bool:
    return has_role(user, MANAGERS)
