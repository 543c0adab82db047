"""What keys adds to the shared pages through propserv.registry: the overdue card on the front
desk's board, the unit panel, the lookup, the nav entry, the deadline kind; and the move-in gate
the hand-over records answer (inspections, above keys)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from keys import services
from keys.sla import LOAN_RETURN
from propserv.registry import registry
from tests.factories import UnitFactory
from tests.keys.helpers import make_key

pytestmark = pytest.mark.django_db


def render(page: str, request, obj=None) -> str:
    template = Template("{% load registry %}{% panels page obj %}")
    return template.render(Context({"request": request, "page": page, "obj": obj}))


def test_front_desk_board_card_lists_overdue_keys(rf, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
        at=timezone.now() - dt.timedelta(days=2),
    )
    request = rf.get("/")
    request.user = staff["frontdesk"]
    html = render("desk-board", request)
    assert key.tag_code in html and "technician" in html
    request.user = staff["technician"]
    assert key.tag_code not in render("desk-board", request)


def test_the_unit_panel_says_where_the_units_keys_are(rf, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="A-07")
    request = rf.get("/")
    request.user = staff["frontdesk"]
    html = render("unit", request, unit)
    assert key.tag_code in html and "A-07" in html and 'data-panel="keys.unit"' in html
    empty = UnitFactory(building__estate=estate, code="3-2-1503")
    assert "data-panel" in render("unit", request, empty)  # "no keys held"
    request.user = staff["technician"]
    assert key.tag_code not in render("unit", request, unit)


def test_the_lookup_finds_a_key_by_tag_or_unit_within_the_estates(
    estate, other_estate, unit, staff
):
    key = make_key(estate, staff["frontdesk"], unit)
    provider = registry.lookups["keys"]
    by_tag = list(provider.search(staff["frontdesk"], [estate.pk], key.tag_code.lower()))
    by_unit = list(provider.search(staff["frontdesk"], [estate.pk], "3-2-1502"))
    assert [h.url for h in by_tag] == [key.get_absolute_url()] == [h.url for h in by_unit]
    assert list(provider.search(staff["frontdesk"], [other_estate.pk], key.tag_code)) == []
    assert provider in registry.lookups_for(staff["patrol"])
    assert provider not in registry.lookups_for(staff["technician"])


def test_the_nav_offers_the_cabinet_to_those_who_may_see_it(staff):
    for role in ("frontdesk", "area_admin", "supervisor", "project_manager", "patrol"):
        assert "keys" in [e.key for e in registry.nav_for(staff[role])], role
    for role in ("quality", "gm"):
        assert "keys" in [e.key for e in registry.nav_for(staff[role])], role
    for role in ("technician", "finance"):
        assert "keys" not in [e.key for e in registry.nav_for(staff[role])], role


def test_the_loan_deadline_kind_is_declared_with_its_policy():
    assert registry.deadline_kinds[LOAN_RETURN] == "keys"
    assert LOAN_RETURN in registry.deadline_policies


def test_the_hand_over_records_answer_the_move_in_gate(unit):
    assert registry.gates_for("unit.move_in")  # registered by inspections, not imported by keys
    assert services.move_in_refusals(unit)  # no hand-over recorded yet
