from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropservConfig(AppConfig):
    name = "propserv"
    verbose_name = _("Estate core")
