from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import NavEntry, Panel, registry
from propserv.roles import KEY_DESK, RENOVATION_VIEWERS


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Renovation inspections")

    def ready(self) -> None:
        # PLC0415: services and selectors import the models, which Django loads only after this
        # module; ready() is the documented place to import them.
        from inspections import demo, kpis, selectors, services, sla  # noqa: PLC0415

        registry.add_deadline_kinds(self.label, sla.KINDS)
        for policy in sla.POLICIES:
            registry.add_deadline_policy(policy())

        # The key cabinet (a lower layer) asks before issuing move-in keys: the hand-over
        # record answers (docs/architecture.md, "Adding an app").
        registry.add_gate("unit.move_in", "inspections.handover", services.unit_move_in_gate)
        registry.add_panel(
            Panel(
                page="key-issue",
                key="inspections.handover",
                template="inspections/_handover_line.html",
                context=selectors.key_issue_panel,
                roles=KEY_DESK,
            )
        )
        registry.add_nav(
            NavEntry(
                "inspections", _("Renovation"), "inspections:renovations", RENOVATION_VIEWERS, 40
            )
        )
        registry.add_panel(
            Panel(
                page="unit",
                key="inspections.unit",
                template="inspections/_unit_panel.html",
                context=selectors.unit_panel,
                roles=RENOVATION_VIEWERS,
            )
        )
        registry.add_panel(
            Panel(
                page="complaint",
                key="inspections.renovation",
                template="inspections/_complaint_panel.html",
                context=selectors.complaint_panel,
                roles=RENOVATION_VIEWERS,
            )
        )
        registry.add_kpi(kpis.PROVIDER)  # the managers' dashboard
        # tickets 1, fees 2, keys 3, inspections 4: contractors and owners exist by now.
        registry.add_demo_seeder(self.label, demo.seed, order=4)
