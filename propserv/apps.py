from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class PropservConfig(AppConfig):
    name = "propserv"
    verbose_name = _("Estate core")

    def ready(self) -> None:
        # PLC0415: the checks and the auth receivers import models, which exist only once the app registry is ready.
        from propserv import authentication, checks  # noqa: F401, PLC0415

        user_model = get_user_model()
        pre_save.connect(authentication.remember_credentials, sender=user_model)
        post_save.connect(authentication.revoke_tokens_on_change, sender=user_model)
        user_logged_out.connect(authentication.revoke_tokens_on_logout)
