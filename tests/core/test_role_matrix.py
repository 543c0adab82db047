"""The role wall, over the OpenAPI schema (docs/architecture.md, "Roles and checks"): on the demo
estate, every API write is tried by each of the nine roles with a valid body on an object in the
right state; the roles the table (tests/core/role_table.py, written from docs/domain.md) allows
must get through, every other role must be refused with 403 (or 404 where the service conceals).

Each try runs in a savepoint that is rolled back, so one role's success never changes the state
the next role finds. A write of the schema in neither TABLE nor NOT_COVERED fails here: a new
endpoint must be classified."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from fees.models import Payment
from inspections.models import Rectification, Renovation
from keys.models import ContractorPerson, Key
from propserv.models import Estate, Resident, Unit
from propserv.roles import Role
from tests.core.role_builders import V, repair_body
from tests.core.role_table import NOT_COVERED, TABLE
from tests.factories import make_staff
from tickets.models import Callback, PriceItem, Repair, RepairCategory
from visits.models import NoticeCall
from visits.services.first_contact import log_web_report

pytestmark = pytest.mark.django_db

WRITES = {"post", "put", "patch", "delete"}
# The writes not covered yet, counted so that NOT_COVERED cannot grow silently.
EXPECTED_NOT_COVERED = 4


class Setup:
    """What a table row's `build` may ask for; writes go through the API as the administrator."""

    def __init__(self, estate, schema):
        self.estate = estate
        self.schema = schema
        self.unit = Unit.objects.filter(estate=estate).order_by("pk").first()
        self.category = RepairCategory.objects.filter(estate=estate).order_by("pk").first().code
        self.users = {role: _user(role.value) for role in Role}
        # a second technician of the estate, whose jobs the demo technician may not work
        self.colleague = make_staff("technician-2", Role.TECHNICIAN.value, estates=[estate])
        self.admin = APIClient()
        self.admin.force_authenticate(_user("admin"))

    def run(self, url, body):
        response = self.admin.post(url, body, format="json")
        assert response.status_code < 300, (url, response.status_code, response.content[:300])
        return response.json() if response.content else {}

    def callback_of(self, **ticket):
        return Callback.objects.filter(**ticket).order_by("pk").last().pk

    def free_key(self):
        key = (
            Key.objects.filter(estate=self.estate, state="in_cabinet", in_cabinet_count__gte=1)
            .order_by("pk")
            .first()
        )
        assert key is not None, "the demo has no key in the cabinet"
        return key

    def contractor_person(self):
        return ContractorPerson.objects.filter(contractor__estate=self.estate).order_by("pk")[0]

    def owner(self):
        busy = Renovation.objects.filter(estate=self.estate).values("unit")
        return (
            Resident.objects.filter(estate=self.estate, role=Resident.Role.OWNER)
            .exclude(unit__in=busy)
            .order_by("pk")
            .first()
        )

    def payment(self):
        return (
            Payment.objects.filter(estate=self.estate, reversed_at__isnull=True)
            .order_by("pk")
            .first()
            .pk
        )

    def renovation(self, status):
        found = Renovation.objects.filter(estate=self.estate, status=status).order_by("pk").first()
        assert found is not None, f"the demo has no renovation {status}"
        return found

    def price_item(self):
        return PriceItem.objects.filter(estate=self.estate).order_by("pk").first().pk

    def web_report(self):
        body = {**repair_body(self), "channel": "web"}
        return log_web_report(Repair.objects.get(pk=self.run(V + "repairs/", body)["id"])).pk

    def rectification_of(self, renovation_id):
        return Rectification.objects.filter(renovation=renovation_id).order_by("pk").last().pk

    def first_call_of(self, notice_id):
        return NoticeCall.objects.filter(notice=notice_id).order_by("pk").first().pk

    def checklist_codes(self):
        items = self.schema["components"]["schemas"]["PatrolRecord"]["properties"]["items"]
        return list(items["properties"])


def _user(username):
    return get_user_model().objects.get(username=username)


def schema_writes(schema) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITES
    }


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    return Estate.objects.get(code="CUIHU")


# about a hundred writes tried by nine roles, each on fresh demo objects: minutes on a busy machine
@pytest.mark.timeout(1800)
def test_each_role_gets_exactly_the_writes_the_role_table_allows(demo):
    admin = APIClient()
    admin.force_authenticate(_user("admin"))
    schema = json.loads(admin.get("/api/schema/", {"format": "json"}).content)
    writes = schema_writes(schema)
    classified = {op.split(" [")[0] for op in TABLE} | set(NOT_COVERED)
    unclassified = writes - classified
    assert not unclassified, "classify these writes in tests/core/role_table.py:\n" + "\n".join(
        sorted(unclassified)
    )
    assert not classified - writes, "rows for writes the schema lacks"
    ctx = Setup(demo, schema)
    for role, user in ctx.users.items():
        assert {g.name for g in user.groups.all()} == {role.value}, "a demo user holds one role"

    mismatches, broken, not_done, cells = [], [], [], 0
    for operation, (allowed, build) in TABLE.items():
        method = operation.split(" ", 1)[0].lower()  # "POST /path/ [variant]"
        for role, user in ctx.users.items():
            api = APIClient()
            api.force_authenticate(user)
            with transaction.atomic():
                try:
                    url, body = build(ctx)
                    status = getattr(api, method)(url, body, format="json").status_code
                except AssertionError as setup_failed:
                    broken.append(f"{operation}: {setup_failed}")
                    status = None
                transaction.set_rollback(True)
            if status is None:
                break
            cells += 1
            refused = status in (403, 404)
            if role in allowed and not refused and status >= 300:
                not_done.append(f"{operation} {role.value}: {status}")
            if role in allowed and (refused or status >= 500):
                mismatches.append(f"{operation} {role.value}: allowed, got {status}")
            elif role not in allowed and not refused:
                mismatches.append(f"{operation} {role.value}: not allowed, got {status}")
    print(
        f"\nrole matrix: {len(TABLE)} operations x {len(Role)} roles = {cells} cells checked, "
        f"{len(mismatches)} mismatches; {len(NOT_COVERED)} writes not covered:"
    )
    for operation, reason in sorted(NOT_COVERED.items()):
        print(f"  {operation}: {reason}")
    for line in mismatches:
        print("  MISMATCH", line)
    for line in not_done:
        print("  allowed but refused for the state or body", line)
    assert not broken, "\n".join(broken)
    assert not mismatches, "\n".join(mismatches)
    assert not not_done, "an allowed role must succeed:\n" + "\n".join(not_done)
    assert cells == len(TABLE) * len(Role)
    assert len(NOT_COVERED) == EXPECTED_NOT_COVERED
