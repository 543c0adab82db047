from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propserv.registry import registry


class KeysConfig(AppConfig):
    name = "keys"
    verbose_name = _("Key cabinet")

    def ready(self) -> None:
        # PLC0415: an app's modules import its models, which Django loads only after this
        # module; ready() is the documented place to import them.
        from keys import deadlines  # noqa: PLC0415

        for policy in deadlines.POLICIES:
            registry.add_deadline_policy(policy())
