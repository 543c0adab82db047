from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import registry


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Repairs, complaints and callbacks")

    def ready(self) -> None:
        # PLC0415: an app's modules import its models, which Django loads only after this
        # module; ready() is the documented place to import them.
        from tickets import sla  # noqa: PLC0415
        from tickets import complaint_sla  # noqa: PLC0415

        for policy in sla.POLICIES:
            registry.add_deadline_policy(policy())
        for policy in complaint_sla.POLICIES:
            registry.add_deadline_policy(policy())
