"""Settings of the reference server: the app's settings plus one bare DRF create endpoint."""

from propserv.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
