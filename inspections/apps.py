from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import Panel, registry
from propserv.roles import KEY_DESK


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Renovation inspections")

    def ready(self) -> None:
        # PLC0415: services import the models, which Django loads only after this module;
        # ready() is the documented place to import them.
        from inspections import services  # noqa: PLC0415

        # The key cabinet (a lower layer) asks before issuing move-in keys: the hand-over
        # record answers (docs/architecture.md, "Adding an app").
        registry.add_gate("unit.move_in", "inspections.handover", services.unit_move_in_gate)
        registry.add_panel(
            Panel(
                page="key-issue",
                key="inspections.handover",
                template="inspections/_handover_line.html",
                context=services.key_issue_panel,
                roles=KEY_DESK,
            )
        )
