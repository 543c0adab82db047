"""What the key cabinet's models share."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL
ID_LAST4_HELP = _("Last 4 characters of the identity card, e.g. 123X.")
