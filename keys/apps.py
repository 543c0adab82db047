from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import LookupProvider, NavEntry, Panel, registry
from propserv.roles import KEY_VIEWERS


class KeysConfig(AppConfig):
    name = "keys"
    verbose_name = _("Key cabinet")

    def ready(self) -> None:
        # PLC0415: an app's modules import its models, which Django loads only after this
        # module; ready() is the documented place to import them.
        from keys import demo, kpis, selectors, sla  # noqa: PLC0415

        registry.add_deadline_kinds(self.label, sla.KINDS)
        for policy in sla.POLICIES:
            registry.add_deadline_policy(policy())
        registry.add_nav(NavEntry("keys", _("Key cabinet"), "keys:cabinet", KEY_VIEWERS, 30))
        registry.add_panel(
            Panel(
                page="desk-board",
                key="keys.overdue",
                template="keys/_overdue_board.html",
                context=selectors.overdue_board,
                roles=KEY_VIEWERS,
            )
        )
        registry.add_panel(
            Panel(
                page="unit",
                key="keys.unit",
                template="keys/_unit_panel.html",
                context=selectors.unit_panel,
                roles=KEY_VIEWERS,
            )
        )
        registry.add_lookup(LookupProvider("keys", selectors.lookup, roles=KEY_VIEWERS, order=50))
        registry.add_kpi(kpis.PROVIDER)  # the managers' dashboard
        registry.add_demo_seeder(self.label, demo.seed, order=3)  # tickets 1, fees 2, keys 3
