"""The key ledger: its check (the state re-derived from the events); rows that store codes and
parameters, read in the reader's language; the migration of rows written as translated text."""

from __future__ import annotations

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import translation

from keys import rules, services
from keys.models import Key, KeyEvent, KeyLoan
from tests.conftest import PASSWORD
from tests.keys.helpers import at, make_key, make_person

pytestmark = pytest.mark.django_db


def test_ledger_problems_are_translated():
    events = [SimpleNamespace(kind="lent", count=1, slot="", loan_id=1)]
    with translation.override("zh-hans"):
        problems = rules.derive(events).problems
        diffs = rules.compare({"count": 2}, rules.Derived(count=1))
    assert problems[0] == "第 1 条记录（lent）：第一条记录必须是登记或业主留存"
    assert diffs == ["count：记录为 2，按记录推算为 1"]
    with translation.override("en"):
        assert rules.derive(events).problems[0] == (
            "event 1 (lent): the first event must register or entrust the key"
        )


def test_ledger_check_command(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    out = StringIO()
    call_command("keys_check_ledger", stdout=out)
    assert "agree" in out.getvalue()
    Key.objects.filter(pk=key.pk).update(slot="Z-99")  # a change that bypassed the ledger
    with pytest.raises(CommandError):
        call_command("keys_check_ledger", stdout=StringIO())


# --- rows store codes; labels in the reader's language ----------------------------------------


def test_an_event_recorded_under_chinese_reads_in_english_on_an_english_page(
    client, estate, unit, staff
):
    """The defect: English pages showed "柜位 A-02，接收人…", text written in Chinese."""
    person = make_person(estate, staff["frontdesk"])
    with translation.override("zh-hans"):
        key = make_key(estate, staff["frontdesk"], unit, slot="A-02")
        loan = services.loan_lend(
            key=key,
            borrower_person=person,
            phone=person.phone,
            count=2,
            reason="水管维修",
            actor=staff["frontdesk"],
            at=at(10, 9),
        )
        services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(10, 16))
    returned = KeyEvent.objects.get(key=key, kind="returned")
    assert returned.to_party == "" and returned.data["to"] == {
        "code": "slot_received_by",
        "slot": "A-02",
        "name": "frontdesk",
    }
    client.login(username="frontdesk", password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    for url in (reverse("keys:key", args=[key.pk]), reverse("keys:loan", args=[loan.pk])):
        body = client.get(url).content.decode()
        assert "Cabinet slot A-02, received by frontdesk" in body, url
        assert "Count checked; unit inspection due" in body, url
        assert "柜位" not in body and "已清点" not in body, url
        assert "水管维修" in body  # what the desk typed stays as typed
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    body = client.get(reverse("keys:key", args=[key.pk])).content.decode()
    assert "柜位 A-02，接收人 frontdesk" in body


def test_the_api_renders_the_ledger_in_the_callers_language(api, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="A-02")
    english = api.get(f"/api/v1/keys/{key.pk}/events/", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = api.get(f"/api/v1/keys/{key.pk}/events/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english[0]["to_party"] == "Cabinet slot A-02" and english[0]["kind"] == "registered"
    assert chinese[0]["to_party"] == "柜位 A-02"


def test_an_unknown_code_is_refused_at_write_time(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    with pytest.raises(ValueError), transaction.atomic():
        KeyEvent.record(key, "teleported", at=at(), actor=staff["frontdesk"])


# --- the data migration of rows written before the codes ----------------------------------------

MIGRATION = importlib.import_module("keys.migrations.0005_ledger_text_to_codes")


def _old_event(key, kind, actor, **text):
    """A row as the services wrote it before migration 0004: text in the writer's language."""
    return KeyEvent.objects.create(
        estate_id=key.estate_id, key=key, kind=kind, at=at(), actor=actor, **text
    )


def test_the_migration_turns_written_text_into_codes_and_loses_nothing(estate, unit, staff):
    desk = staff["frontdesk"]
    key = make_key(estate, desk, unit, slot="A-02")
    returned = _old_event(
        key,
        "returned",
        desk,
        from_party="黄建国 (安居装饰)",
        to_party="柜位 A-02，接收人 frontdesk",
        reason="已清点；待验房",
    )
    failed = _old_event(
        key, "inspected", desk, to_party="黄建国", reason="不合格：墙面划伤 — 地面有水"
    )
    called = _old_event(
        key,
        "owner_call",
        desk,
        from_party="Owner 陈业主",
        to_party="李亲戚",
        reason="Owner confirmed: 下午来",
    )
    typed = _old_event(key, "lent", desk, from_party="柜位 A-02", to_party="李四", reason="维修")
    unknown = _old_event(key, "handed_over", desk, from_party="某人手写", reason="随便写的")
    loan_key = make_key(estate, desk, unit)
    loan = services.loan_lend(
        key=loan_key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="x",
        actor=desk,
        at=at(10, 9),
    )
    KeyLoan.objects.filter(pk=loan.pk).update(
        status="closed", closed_at=at(10, 10), close_note="钥匙报失"
    )

    state = MigrationLoader(connection).project_state(("keys", "0005_ledger_text_to_codes"))
    with connection.schema_editor() as editor:
        MIGRATION.forwards(state.apps, editor)

    for event in (returned, failed, called, typed, unknown):
        event.refresh_from_db()
    with translation.override("en"):
        assert returned.from_text == "黄建国 (安居装饰)"  # a name, as typed
        assert returned.to_text == "Cabinet slot A-02, received by frontdesk"
        assert returned.why_text == "Count checked; unit inspection due"
        assert failed.why_text == "Failed: 墙面划伤 — 地面有水"
        assert called.from_text == "Owner 陈业主" and called.why_text == "Owner confirmed — 下午来"
        assert typed.from_text == "Cabinet slot A-02" and typed.why_text == "维修"
        assert unknown.from_text == "某人手写" and unknown.why_text == "随便写的"  # kept as it was
        loan.refresh_from_db()
        assert loan.close_reason == "key_lost" and loan.close_label == "Key reported lost"
    assert returned.data["was"] == {
        "to_party": "柜位 A-02，接收人 frontdesk",
        "reason": "已清点；待验房",
    }
    assert unknown.data == {}
    # the ledger is append-only again afterwards
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("UPDATE keys_keyevent SET reason = 'x' WHERE id = %s", [typed.pk])
