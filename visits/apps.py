from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = pgettext_lazy("module", "Reception")

    def ready(self) -> None:
        # PLC0415: visits.extensions imports the app's models through its selectors, which Django
        # loads only after this module; ready() is the documented place to import them.
        from visits import extensions  # noqa: PLC0415

        extensions.register()
