from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import NavEntry, Panel, registry
from propserv.roles import CASHIERS, FEE_VIEWERS


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = _("Fees")

    def ready(self) -> None:
        # PLC0415: an app's modules import its models, which Django loads only after this
        # module; ready() is the documented place to import them.
        from fees import demo, kpis, selectors, sla  # noqa: PLC0415
        from fees.services import charges  # noqa: PLC0415

        registry.add_deadline_kinds(self.label, sla.KINDS)
        for policy in sla.POLICIES:
            registry.add_deadline_policy(policy())

        # Cashiers land on their desk (the subnav leads on to arrears and billing runs); the
        # managers who only read accounts land on the arrears list.
        registry.add_nav(NavEntry("fees", _("Fees"), "fees:desk", CASHIERS, 25))
        registry.add_nav(
            NavEntry("fees-arrears", _("Arrears"), "fees:arrears", FEE_VIEWERS - CASHIERS, 26)
        )
        registry.add_panel(
            Panel(
                page="unit",
                key="fees.unit",
                template="fees/_unit_panel.html",
                context=selectors.unit_panel,
                roles=FEE_VIEWERS,
                order=20,
            )
        )
        for point in charges.REPAIR_HOOK_POINTS:
            registry.add_hook(point, "fees.charge_repair", charges.on_repair_completed)
        registry.add_kpi(kpis.PROVIDER)  # the managers' dashboard
        registry.add_demo_seeder(self.label, demo.seed, order=2)  # tickets 1, fees 2, keys 3
