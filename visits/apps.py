from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import registry


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Reception")

    def ready(self) -> None:
        # PLC0415: an app's modules import its models, which Django loads only after this
        # module; ready() is the documented place to import them.
        from visits import sla  # noqa: PLC0415

        for policy in sla.POLICIES:
            registry.add_deadline_policy(policy())
