"""The gate and the lobby: a visitor is registered only once the host agreed and only for a unit
or company of this estate; the tenant directory of a commercial estate; documents and parcels
logged, forwarded and collected."""

import pytest
from django.core.exceptions import ValidationError

from propserv.errors import InvalidTransition
from propserv.models import Estate
from tests.factories import UnitFactory
from visits.models import GateVisitor, OfficeTenant, Parcel
from visits.selectors import rentals as selectors
from visits.services import gate

pytestmark = pytest.mark.django_db


def _visit(estate, staff, unit, **kw):
    data = {"name": "快递员小刘", "host_name": "王先生", "host_agreed": True, "unit": unit}
    data.update(kw)
    return gate.visitor_register(estate=estate, actor=staff["patrol"], **data)


def test_visitor_registered_with_host_consent_and_signed_out(estate, staff, unit):
    visitor = _visit(estate, staff, unit, people=2, purpose="送家具")
    assert visitor.host_agreed and visitor.arrived_at and visitor.left_at is None
    assert gate.visitor_allowed_actions(visitor, staff["patrol"]) == {"leave"}
    gate.visitor_leave(visitor_id=visitor.pk, actor=staff["frontdesk"])
    visitor.refresh_from_db()
    assert visitor.left_at >= visitor.arrived_at


def test_visitor_refused_without_the_hosts_agreement(estate, staff, unit):
    with pytest.raises(ValidationError) as exc:
        _visit(estate, staff, unit, host_agreed=False)
    assert "host_agreed" in exc.value.message_dict
    assert not GateVisitor.objects.exists()


def test_visitor_for_a_unit_of_another_estate_refused(estate, other_estate, staff, unit):
    elsewhere = UnitFactory(building__estate=other_estate, code="9-9-909")
    with pytest.raises(ValidationError) as exc:
        _visit(estate, staff, elsewhere)
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _visit(estate, staff, None)
    assert not GateVisitor.objects.exists()


def test_directory_only_in_a_commercial_estate_and_unknown_company_not_found(estate, staff, unit):
    with pytest.raises(ValidationError):
        gate.directory_add(
            estate=estate, actor=staff["frontdesk"], company="甲公司", floor=15, unit=unit
        )
    estate.kind = Estate.Kind.COMMERCIAL
    estate.save(update_fields=["kind"])
    firm = gate.directory_add(
        estate=estate, actor=staff["frontdesk"], company="翠湖科技有限公司", floor=15, unit=unit
    )
    with pytest.raises(ValidationError):
        gate.directory_add(
            estate=estate, actor=staff["frontdesk"], company="翠湖科技有限公司", floor=3, unit=unit
        )
    assert selectors.directory_find(estate, "翠湖科技") == [firm]
    assert selectors.directory_find(estate, "不存在的公司") == []
    visitor = _visit(estate, staff, None, company=firm)
    assert visitor.unit == unit and visitor.destination == "翠湖科技有限公司"
    gate.directory_remove(tenant_id=firm.pk, actor=staff["frontdesk"])
    assert selectors.directory_find(estate, "翠湖科技") == []
    with pytest.raises(ValidationError):
        _visit(estate, staff, None, company=OfficeTenant.objects.get(pk=firm.pk))


def test_parcel_logged_forwarded_collected(estate, staff, unit):
    parcel = gate.parcel_log(
        estate=estate,
        actor=staff["frontdesk"],
        kind="document",
        description="法院传票",
        for_name="王先生",
        left_by="EMS 投递员",
        unit=unit,
    )
    assert parcel.status == Parcel.Status.HELD
    gate.parcel_forward(parcel_id=parcel.pk, actor=staff["frontdesk"], to="区域管理员 李四")
    gate.parcel_collect(parcel_id=parcel.pk, actor=staff["frontdesk"], collected_by="王先生")
    parcel.refresh_from_db()
    assert parcel.status == Parcel.Status.COLLECTED and parcel.forwarded_to == "区域管理员 李四"
    assert parcel.collected_by_name == "王先生" and parcel.collected_at
    with pytest.raises(InvalidTransition):
        gate.parcel_forward(parcel_id=parcel.pk, actor=staff["frontdesk"], to="x")
    with pytest.raises(ValidationError):
        gate.parcel_log(
            estate=estate,
            actor=staff["frontdesk"],
            kind="parcel",
            description="箱子",
            for_name="",
            left_by="顺丰",
            unit=unit,
        )
