"""The desk's registers: lost and found, and the incident record (docs/domain.md, Reception)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from propserv.errors import InvalidTransition
from propserv.models import Notification
from tests.visits.helpers import client_for
from visits.models import Incident, LostItem
from visits.services import registers


def test_lost_item_is_returned_only_with_a_check_of_ownership(estate, staff):
    item = registers.lost_item_register(
        estate=estate,
        actor=staff["frontdesk"],
        description="黑色钱包",
        found_where="3栋大堂",
        found_by="保安李四",
        kept_where="前台抽屉",
    )
    with pytest.raises(ValidationError):
        registers.lost_item_return(item_id=item.pk, actor=staff["frontdesk"], claimant_name="张三")
    registers.lost_item_return(
        item_id=item.pk,
        actor=staff["frontdesk"],
        claimant_name="张三",
        claimant_phone="13900001111",
        claimant_proof="身份证核对，说出钱包内物品",
    )
    item.refresh_from_db()
    assert item.status == LostItem.Status.RETURNED and item.closed_at
    with pytest.raises(InvalidTransition):
        registers.lost_item_dispose(item_id=item.pk, actor=staff["frontdesk"], note="交派出所")


def test_incident_notifies_every_manager_at_once(estate, staff):
    incident = registers.incident_record(
        estate=estate,
        actor=staff["frontdesk"],
        kind="lift_trapped",
        location="5栋2号电梯",
        description="两人被困",
        actions_taken="已通知维保",
    )
    notified = set(
        Notification.objects.filter(dedupe_key=f"incident:{incident.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"supervisor", "project_manager", "quality", "gm"}
    assert Notification.objects.get(recipient=staff["gm"]).level == "alert"
    with pytest.raises(ValidationError):
        registers.incident_close(incident_id=incident.pk, actor=staff["supervisor"], outcome=" ")
    registers.incident_close(incident_id=incident.pk, actor=staff["supervisor"], outcome="已解困")


def test_only_a_manager_closes_an_incident(estate, staff):
    incident = registers.incident_record(
        estate=estate,
        actor=staff["frontdesk"],
        kind="lift_trapped",
        location="5栋2号电梯",
        description="两人被困",
    )
    with pytest.raises(PermissionDenied):
        registers.incident_close(
            incident_id=incident.pk, actor=staff["frontdesk"], outcome="已解困"
        )
    desk = client_for(staff["frontdesk"])
    assert "Close the incident" not in desk.get(incident.get_absolute_url()).content.decode()
    refused = desk.post(incident.get_absolute_url(), {"outcome": "已解困"})
    assert refused.status_code == 400
    assert "只有管理人员可以关闭重大事件" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.closed_at is None
    registers.incident_close(incident_id=incident.pk, actor=staff["quality"], outcome="已解困")
    assert Incident.objects.get(pk=incident.pk).closed_by == staff["quality"]
