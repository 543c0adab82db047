import pytest

from tickets.demo import ensure_reference_data


@pytest.fixture
def categories(estate):
    """The default taxonomy and price list of `estate`: categories["water"] etc."""
    ensure_reference_data(estate)
    return {c.code: c for c in estate.repair_categories.all()}
