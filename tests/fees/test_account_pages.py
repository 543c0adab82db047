"""The pages of who pays and of a change of owner (on the unit's account page), and the
large-debt list for legal follow-up (filters, export, roles)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from fees import services
from fees.models import Account, OwnerChange
from propserv.models import Resident
from tests.conftest import PASSWORD
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _page(client, unit):
    return reverse("fees:statement", args=[unit.pk])


def test_payer_by_agreement_from_the_account_page(client, billed_unit, staff):
    tenant = ResidentFactory(unit=billed_unit, role=Resident.Role.TENANT, name="租户甲")
    stranger = ResidentFactory(name="别户")
    client.login(username="frontdesk", password=PASSWORD)
    url = _page(client, billed_unit)
    assert 'data-testid="payer-form"' in client.get(url).content.decode()
    # No agreement noted: the service's refusal beside the field, nothing written.
    bad = client.post(url, {"form": "payer", "payer": tenant.pk, "agreement": ""})
    assert bad.status_code == 400 and "agreement" in bad.context["payer_form"].errors
    assert not Account.objects.filter(pk=billed_unit.pk, payer__isnull=False).exists()
    other = client.post(url, {"form": "payer", "payer": stranger.pk, "agreement": "x"})
    assert other.status_code == 400
    client.post(url, {"form": "payer", "payer": tenant.pk, "agreement": "租赁合同第 5 条"})
    assert Account.objects.get(pk=billed_unit.pk).payer == tenant
    assert "租户甲" in client.get(url).content.decode()
    client.post(url, {"form": "payer", "payer": "", "agreement": ""})
    assert Account.objects.get(pk=billed_unit.pk).payer is None


def test_change_of_owner_from_the_account_page(client, billed_unit, staff):
    ResidentFactory(unit=billed_unit, name="老业主")
    client.login(username="finance", password=PASSWORD)
    url = _page(client, billed_unit)
    assert 'value="老业主"' in client.get(url).content.decode()
    body = {"form": "owner", "old_owner": "老业主", "new_owner": "新业主", "note": ""}
    # ¥750 still owed: "settled" is refused in words, nothing written.
    refused = client.post(url, {**body, "decision": "settled"})
    assert refused.status_code == 400 and "750.00" in refused.content.decode()
    assert "decision" in refused.context["owner_form"].errors
    assert not OwnerChange.objects.exists()
    client.post(url, {**body, "decision": "carried", "note": "买卖合同约定由新业主承担"})
    change = OwnerChange.objects.get()
    assert change.balance == D("750.00") and change.decision == "carried"
    assert "新业主" in client.get(url).content.decode()


def test_only_the_desk_and_fee_managers_keep_accounts(client, billed_unit, staff):
    client.login(username="area_admin", password=PASSWORD)
    url = _page(client, billed_unit)
    page = client.get(url).content.decode()
    assert 'data-testid="payer-form"' not in page and 'data-testid="owner-form"' not in page
    resp = client.post(
        url, {"form": "owner", "old_owner": "a", "new_owner": "b", "decision": "carried"}
    )
    assert resp.status_code == 403 and not OwnerChange.objects.exists()


@pytest.fixture
def large(behind):
    row = behind[7].estate.service_settings
    row.large_debt_amount = D("1500.00")
    row.save()
    return behind


def test_large_debt_list_filters_and_export(client, large, staff):
    services.reminder_log(
        unit=large[7], way="letter", outcome="律师函已寄出", actor=staff["finance"]
    )
    client.login(username="project_manager", password=PASSWORD)
    url = reverse("fees:large-debts")
    page = client.get(url).content.decode()
    listed = [k for k, u in large.items() if f">{u.code}</a>" in page]
    assert sorted(listed) == [6, 7]
    assert page.index(large[7].code) < page.index(large[6].code)  # largest first
    assert timezone.localdate().strftime("%Y-%m-%d") in page  # the last reminder
    narrower = client.get(url, {"min_amount": "1600"}).content.decode()
    assert large[7].code in narrower and large[6].code not in narrower
    # Below the estate's amount is still the estate's amount.
    wider = client.get(url, {"min_amount": "1"}).content.decode()
    assert large[3].code not in wider
    xlsx = client.get(url, {"export": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    csv = client.get(url, {"export": "csv"}).content.decode("utf-8-sig")
    assert large[7].code in csv and large[3].code not in csv


def test_large_debt_list_roles_and_link(client, large, staff):
    client.login(username="frontdesk", password=PASSWORD)
    assert client.get(reverse("fees:large-debts")).status_code == 403
    assert (
        'data-testid="large-debts-link"' not in client.get(reverse("fees:arrears")).content.decode()
    )
    client.login(username="finance", password=PASSWORD)
    assert client.get(reverse("fees:large-debts")).status_code == 200
    assert 'data-testid="large-debts-link"' in client.get(reverse("fees:arrears")).content.decode()
