"""Fixtures of the key tests."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def desk(client, staff):
    """A browser session of the front desk."""
    client.login(username="frontdesk", password=PASSWORD)
    return client
