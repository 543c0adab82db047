from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import NavEntry, Panel, registry
from propserv.roles import HANDOVER_VIEWERS, KEY_DESK, QUALITY_VIEWERS, RENOVATION_VIEWERS


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Renovation inspections")

    def ready(self) -> None:
        # PLC0415: services and selectors import the models, which Django loads only after this
        # module; ready() is the documented place to import them.
        from inspections import (  # noqa: PLC0415
            demo,
            kpis,
            selectors,
            services,
            sla,
        )
        from inspections.demo import movein as demo_movein  # noqa: PLC0415
        from inspections.selectors import handover  # noqa: PLC0415

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
        # Hand-over: the move-in pages, and the unit's story from inspection to hand-over.
        registry.add_nav(
            NavEntry("inspections.movein", _("Move-in"), "inspections:movein", HANDOVER_VIEWERS, 41)
        )
        registry.add_panel(
            Panel(
                page="unit",
                key="inspections.handover-story",
                template="inspections/_handover_story.html",
                context=handover.unit_story,
                roles=HANDOVER_VIEWERS,
                order=90,
            )
        )
        registry.add_kpi(kpis.PROVIDER)  # the managers' dashboard
        # tickets 1, fees 2, keys 3, inspections 4: contractors and owners exist by now.
        registry.add_demo_seeder(self.label, demo.seed, order=4)
        # after the renovation demo: a move-in batch on the same owners
        registry.add_demo_seeder(f"{self.label}.movein", demo_movein.seed, order=4)
        self.ready_quality()

    def ready_quality(self) -> None:
        """Quality checks: the nav entry, the dashboard card, the demo checks."""
        from inspections.demo import quality as demo_quality  # noqa: PLC0415
        from inspections.kpis import quality as kpis_quality  # noqa: PLC0415

        registry.add_nav(
            NavEntry(
                "inspections.quality", _("Quality"), "inspections:quality", QUALITY_VIEWERS, 45
            )
        )
        registry.add_kpi(kpis_quality.PROVIDER)
        registry.add_demo_seeder("inspections.quality", demo_quality.seed, order=4)
