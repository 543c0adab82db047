from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Reception")

    def ready(self):
        from visits import sla  # noqa: F401  (registers the front desk's deadline policies)
