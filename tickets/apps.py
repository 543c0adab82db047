from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import NavEntry, registry
from propserv.roles import OFFICE, REPAIR_TECHNICIANS


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Repairs, complaints and callbacks")

    def ready(self) -> None:
        # PLC0415: the sla and demo modules import the app's models, which Django loads only
        # after this module; ready() is the documented place to import them.
        from tickets import demo, kpis, sla  # noqa: PLC0415

        registry.add_nav(NavEntry("repairs", _("Repairs"), "tickets:board", order=10))
        registry.add_nav(
            NavEntry(
                "my-jobs",
                _("My jobs"),
                "tickets:my-jobs",
                roles=REPAIR_TECHNICIANS,
                order=20,
                personal=True,
            )
        )
        registry.add_nav(
            NavEntry("repair-list", _("All repairs"), "tickets:repair-list", roles=OFFICE, order=15)
        )
        registry.add_nav(
            NavEntry(
                "complaints", _("Complaints"), "tickets:complaint-list", roles=OFFICE, order=40
            )
        )
        registry.add_nav(NavEntry("callbacks", _("Callbacks"), "tickets:callback-queue", order=50))
        registry.add_nav(
            NavEntry("surveys", _("Surveys"), "tickets:survey-list", roles=OFFICE, order=55)
        )
        registry.add_deadline_kinds(self.label, sla.KINDS)
        for policy in sla.POLICIES:
            registry.add_deadline_policy(policy())
        for provider in kpis.PROVIDERS:  # the managers' dashboard
            registry.add_kpi(provider)
        registry.add_demo_seeder(self.label, demo.seed, order=1)  # the bottom app seeds first
