"""What visits adds to the shared pages (propserv.registry; docs/architecture.md, "Adding an
app"): its header links, the reception origin on repair and complaint pages, the open entries
on a unit's card, its lookup provider, the hooks that close an entry with its ticket, its deadline kinds
and its demo data. Called from VisitsConfig.ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.registry import LookupProvider, NavEntry, Panel, registry
from propserv.roles import MANAGERS, OFFICE, PRAISE_READERS, RECEPTION_READERS
from visits import demo, rules, selectors, sla
from visits.demo import front_desk as demo_front_desk
from visits.demo import relay as demo_relay
from visits.selectors import relay as relay_selectors
from visits.selectors import rentals as rental_selectors
from visits.selectors import titles as title_selectors
from visits.selectors import unit_problems
from visits.services import first_contact, relay
from visits.services.gate import GATE

DEADLINE_KINDS = (
    rules.ANSWER,
    rules.HANDOVER_ACK,
    rules.DEFECT_SEND,
    rules.EMERGENCY_NOTICE,
    sla.COMMON_PATROL,
)

# The gate's pages: the desk, the guard and the managers.
GATE_READERS = GATE | MANAGERS


def register() -> None:
    registry.add_nav(
        NavEntry(
            "visits.reception",
            pgettext_lazy("module", "Reception"),
            "visits:index",
            RECEPTION_READERS,
            60,
        )
    )
    registry.add_nav(
        NavEntry("visits.lookup", _("Resident lookup"), "visits:lookup", RECEPTION_READERS, 61)
    )
    registry.add_nav(
        NavEntry("visits.praise", _("Praise and suggestions"), "visits:praise", PRAISE_READERS, 62)
    )
    for page in ("repair", "complaint"):
        registry.add_panel(
            Panel(
                page=page,
                key="visits.origin",
                template="visits/_origin.html",
                context=selectors.origin_panel,
                order=10,
            )
        )
    registry.add_panel(
        Panel(
            page="unit",
            key="visits.entries",
            template="visits/_unit_entries.html",
            context=selectors.unit_entries_panel,
            roles=RECEPTION_READERS,
            order=30,
        )
    )
    registry.add_lookup(
        LookupProvider(
            key="visits.entries",
            search=selectors.reception_entry_hits,
            roles=RECEPTION_READERS,
            order=30,
        )
    )
    # An entry closes when the repair or complaint it became is called back satisfied.
    registry.add_hook(
        "repair.called_back", "visits.first_contact", first_contact.on_repair_called_back
    )
    registry.add_hook(
        "complaint.called_back", "visits.first_contact", first_contact.on_complaint_called_back
    )
    registry.add_deadline_kinds("visits", DEADLINE_KINDS)
    for policy in sla.POLICIES:
        registry.add_deadline_policy(policy())
    registry.add_demo_seeder("visits", demo.seed, order=5)  # the top layer seeds last
    # After-sales defects join the unit's problem list of the hand-over (inspections).
    registry.add_hook(unit_problems.UNIT_PROBLEMS, "visits.defects", unit_problems.after_sales_rows)
    register_relay_patrols_titles()
    register_front_desk_services()


def register_relay_patrols_titles() -> None:
    """Information relay, common-area patrols and title certificates."""
    registry.add_nav(
        NavEntry("visits.relay", _("Information relay"), "visits:relay", RECEPTION_READERS, 63)
    )
    registry.add_nav(
        NavEntry(
            "visits.patrols", _("Common-area patrols"), "visits:patrols", RECEPTION_READERS, 64
        )
    )
    registry.add_nav(
        NavEntry("visits.titles", _("Title certificates"), "visits:titles", RECEPTION_READERS, 65)
    )
    registry.add_panel(
        Panel(
            page="unit",
            key="visits.relay",
            template="visits/relay/_unit_panel.html",
            context=relay_selectors.unit_relay_panel,
            roles=RECEPTION_READERS,
            order=31,
        )
    )
    registry.add_panel(
        Panel(
            page="unit",
            key="visits.titles",
            template="visits/titles/_unit_panel.html",
            context=title_selectors.unit_titles_panel,
            roles=RECEPTION_READERS,
            order=32,
        )
    )
    # keys' vacant-unit inspection: a problem found becomes a relay item (keys cannot import us).
    registry.add_hook("vacant.problem_found", "visits.relay", relay.on_vacant_problem)
    registry.add_demo_seeder("visits.relay", demo_relay.seed, order=6)


def register_front_desk_services() -> None:
    """Rentals and move-out, the gate, the tenant directory, documents and parcels."""
    registry.add_nav(NavEntry("visits.rentals", _("Rentals"), "visits:rentals", OFFICE, 66))
    registry.add_nav(
        NavEntry("visits.gate", _("Visitor register"), "visits:gate", GATE_READERS, 67)
    )
    registry.add_panel(
        Panel(
            page="unit",
            key="visits.front_desk",
            template="visits/rentals/_unit_panel.html",
            context=rental_selectors.unit_panel,
            roles=OFFICE,
            order=33,
        )
    )
    registry.add_panel(
        Panel(
            page="resident",
            key="visits.lease",
            template="visits/rentals/_resident_panel.html",
            context=rental_selectors.resident_panel,
            roles=OFFICE,
            order=33,
        )
    )
    registry.add_lookup(
        LookupProvider(
            key="visits.directory",
            search=rental_selectors.lookup_hits,
            roles=GATE_READERS,
            order=35,
        )
    )
    registry.add_demo_seeder("visits.front_desk", demo_front_desk.seed, order=5)
