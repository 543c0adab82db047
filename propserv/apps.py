from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropservConfig(AppConfig):
    name = "propserv"
    verbose_name = _("Estate core")

    def ready(self) -> None:
        # PLC0415: the checks import models, which exist only once the app registry is ready.
        from propserv import checks  # noqa: F401, PLC0415
