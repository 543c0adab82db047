"""The bare references with as little around them as possible: no middleware but
CommonMiddleware, and DRF's own token authentication. What a DRF create costs on this machine at
best — the yardstick for comparing the machine with the issue's reference (190 creates/s)."""

from bench.bare_settings import *  # noqa: F403

MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
