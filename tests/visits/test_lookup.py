"""The front desk's lookup: the type-ahead and the one-box lookup page, scoped to the user's
estates, phones masked for the roles that do not call residents (docs/domain.md, Reception)."""

from tests.factories import ResidentFactory
from tests.visits.helpers import client_for, log_call
from tickets.models import Repair
from visits import selectors


def test_lookup_json_matches_unit_name_and_phone_scoped_and_masked(
    estate, other_estate, staff, resident, other_unit
):
    ResidentFactory(unit=other_unit, name="王五", phone="13800001502")
    frontdesk = client_for(staff["frontdesk"])
    by_unit = frontdesk.get("/visits/lookup.json", {"q": "3-2-15"}).json()["results"]
    assert [r["name"] for r in by_unit] == ["王先生"]  # not the other estate's 3-2-1502
    assert by_unit[0]["phone"] == "13800001502"
    by_name = frontdesk.get("/visits/lookup.json", {"q": "王"}).json()["results"]
    assert [r["name"] for r in by_name] == ["王先生"]
    by_tail = frontdesk.get("/visits/lookup.json", {"q": "1502"}).json()["results"]
    assert [r["id"] for r in by_tail] == [resident.pk]
    by_prefix = frontdesk.get("/visits/lookup.json", {"q": "1380000"}).json()["results"]
    assert [r["id"] for r in by_prefix] == [resident.pk]
    # A technician may look people up but sees masked numbers.
    tech = client_for(staff["technician"]).get("/visits/lookup.json", {"q": "王"}).json()
    assert tech["results"][0]["phone"] == "138****1502"


def test_lookup_page_by_repair_number_and_tracking_code(estate, staff, resident, categories):
    from tickets.services.repairs import repair_create

    repair = repair_create(
        estate=estate,
        category=categories["drainage"],
        unit=resident.unit,
        description="下水道堵塞",
        reporter=resident,
        actor=staff["frontdesk"],
    )
    visit = log_call(estate, staff, resident=resident)
    client = client_for(staff["frontdesk"])
    letters_only = repair_create(
        estate=estate,
        category=categories["drainage"],
        unit=resident.unit,
        description="又堵了",
        reporter=resident,
        actor=staff["frontdesk"],
    )
    Repair.objects.filter(pk=letters_only.pk).update(tracking_code="ZZEMBQVD")  # reads like a name
    for q in (
        repair.number,
        repair.tracking_code,
        repair.tracking_code.lower(),
        "3-2-1502",
        "zzembqvd",
    ):
        page = client.get("/visits/lookup/", {"q": q}).content.decode()
        assert 'data-testid="unit-3-2-1502"' in page, q
        assert repair.number in page and visit.number in page and "王先生" in page
    technician = client_for(staff["technician"]).get("/visits/lookup/", {"q": "3-2-1502"})
    assert "138****1502" in technician.content.decode()
    assert "13800001502" not in technician.content.decode()


def test_lookup_never_shows_another_estates_records(estate, other_estate, staff, other_unit):
    stranger_resident = ResidentFactory(unit=other_unit, name="外人", phone="13900009999")
    client = client_for(staff["frontdesk"])
    for q in ("外人", "3-2-1502", "13900009999"):
        page = client.get("/visits/lookup/", {"q": q}).content.decode()
        # After the search box, which repeats the query.
        results = page.split('class="searchbar"')[1].split("</form>", 1)[1]
        assert 'data-testid="unit-' not in results, q
        assert stranger_resident.phone not in results and "外人" not in results, q
    assert client.get("/visits/lookup.json", {"q": "外人"}).json() == {"results": []}


def test_roles_without_phones_cannot_search_by_part_of_a_number(estate, staff, unit):
    resident = ResidentFactory(unit=unit, name="王先生", phone="13812345678")
    tech = staff["technician"]
    for partial in ("138123", "12345678", "345678"):
        assert selectors.find_residents(tech, partial) == []
        assert client_for(tech).get("/visits/lookup.json", {"q": partial}).json()["results"] == []
    assert selectors.find_residents(tech, "13812345678") == [resident]
    # The desk, who sees numbers anyway, keeps the prefix and last-digits search.
    assert selectors.find_residents(staff["frontdesk"], "138123") == [resident]
    assert selectors.find_residents(staff["frontdesk"], "345678") == [resident]
