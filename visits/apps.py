from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Reception")

    def ready(self) -> None:
        # PLC0415: visits.extensions imports the app's models through its selectors, which Django
        # loads only after this module; ready() is the documented place to import them.
        from visits import extensions  # noqa: PLC0415

        extensions.register()
