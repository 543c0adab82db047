from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Repairs, complaints and callbacks")

    def ready(self):
        from tickets import (
            complaint_sla,  # noqa: F401  (complaint and callback policies)
            sla,  # noqa: F401  (registers the repair deadline policies)
        )
