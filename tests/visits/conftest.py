import io
import itertools
import uuid

import pytest
from django.test import Client
from PIL import Image

from tests.factories import ResidentFactory, UnitFactory
from tickets.demo import ensure_reference_data

_ips = itertools.count(1)


@pytest.fixture(autouse=True)
def isolated_rate_limits(settings):
    """Each test counts its own requests: the limits live in the shared Redis cache."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


@pytest.fixture
def frozen_rate_clock(monkeypatch):
    """The limits count in fixed windows; a test must not straddle a window's end."""
    import time
    import types

    import django_ratelimit.core

    frozen = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: frozen))


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def categories(estate):
    ensure_reference_data(estate)
    return {c.code: c for c in estate.repair_categories.all()}


@pytest.fixture
def resident(unit):
    return ResidentFactory(unit=unit, name="王先生", phone="13800001502")


@pytest.fixture
def other_unit(other_estate):
    """A unit with the same code in another estate."""
    return UnitFactory(building__estate=other_estate, building__code="3", code="3-2-1502")


def public_client(**kwargs) -> Client:
    """A resident's phone: no login, its own IP address."""
    n = next(_ips)
    return Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", **kwargs)


def image_bytes(fmt: str = "JPEG", size=(640, 480), exif: bytes | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()
