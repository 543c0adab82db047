"""What visits adds to the shared pages (propserv.registry; docs/architecture.md, "Adding an
app"): its header links, the reception origin on repair and complaint pages, the open entries
on a unit's card, its lookup provider, the hooks that close an entry with its ticket, its deadline kinds
and its demo data. Called from VisitsConfig.ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.registry import LookupProvider, NavEntry, Panel, registry
from propserv.roles import PRAISE_READERS, RECEPTION_READERS
from visits import demo, rules, selectors, sla
from visits.services import first_contact

DEADLINE_KINDS = (rules.ANSWER, rules.HANDOVER_ACK, rules.DEFECT_SEND, rules.EMERGENCY_NOTICE)


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
