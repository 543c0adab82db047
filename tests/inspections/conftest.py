"""Fixtures of the renovation tests."""

import pytest

from tests.conftest import PASSWORD
from tests.inspections.helpers import make_contractor, make_owner


@pytest.fixture
def owner(unit):
    return make_owner(unit)


@pytest.fixture
def person(estate, staff):
    """A contractor's registered responsible person (keys' contractor registry)."""
    return make_contractor(estate, staff["frontdesk"])


def login(client, username: str):
    client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def desk(client, staff):
    return login(client, "frontdesk")
