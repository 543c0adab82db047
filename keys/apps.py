from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeysConfig(AppConfig):
    name = "keys"
    verbose_name = _("Key cabinet")

    def ready(self) -> None:
        from keys import deadlines  # noqa: F401 – registers the key-loan deadline policy
