"""Timelines keep codes and parameters; pages render them in the reader's language
(docs/architecture.md, Timelines). Regression: the English repair page showed
`area_admin callback_attempt: 无人接听`; zh-hans pages showed `定级 – → important`."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from tests.tickets.test_roles import _complaint, _repair
from tickets.models import Callback, ComplaintEvent, RepairEvent
from tickets.services import callbacks as callback_services
from tickets.services import complaints as complaint_services

migration = importlib.import_module("tickets.migrations.0005_timeline_codes")


def page(client, user, url, language):
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.django_db
def test_an_event_recorded_in_chinese_reads_in_english(estate, unit, categories, staff, client):
    repair = _repair(estate, unit, categories, staff, upto="completed")
    callback = Callback.objects.get(repair=repair)
    with translation.override("zh-hans"):
        callback_services.callback_record_attempt(
            callback_id=callback.pk, outcome="no_answer", note="下午再打", actor=staff["area_admin"]
        )
    event = repair.events.get(action="callback_attempt")
    assert event.note == "下午再打"  # only what the person typed
    assert event.data["outcome"] == "no_answer"
    html = page(client, staff["frontdesk"], repair.get_absolute_url(), "en")
    assert "call attempt" in html and "No answer" in html
    assert "无人接听" not in html and "callback_attempt:" not in html
    html = page(client, staff["frontdesk"], repair.get_absolute_url(), "zh-hans")
    assert "无人接听" in html


@pytest.mark.django_db
def test_an_event_recorded_in_english_reads_in_chinese(estate, unit, staff, client):
    with translation.override("en"):
        complaint = _complaint(estate, unit, staff)
        complaint_services.complaint_assign_owner(
            complaint_id=complaint.pk, owner=staff["area_admin"], actor=staff["frontdesk"]
        )
    graded = complaint.events.get(action="graded")
    assert graded.data == {"from_grade": "", "to_grade": "minor"}
    html = page(client, staff["frontdesk"], complaint.get_absolute_url(), "zh-hans")
    assert "– → 轻微" in html  # the grade's label, not its code
    assert "– → minor" not in html
    assert "更换负责人" in html and "area_admin" in html  # the owner's name as a parameter
    html = page(client, staff["frontdesk"], complaint.get_absolute_url(), "en")
    assert "– → Minor" in html and "轻微" not in html


@pytest.mark.parametrize(
    ("action", "note", "data", "new_note", "new_data"),
    [
        (
            "callback_attempt",
            "无人接听 下午再打",
            {"outcome": "no_answer"},
            "下午再打",
            {"outcome": "no_answer"},
        ),
        ("callback_attempt", "No answer", {"outcome": "no_answer"}, "", {"outcome": "no_answer"}),
        (
            "reopened",
            "回访时住户不满意（2/5）：还是漏",
            {},
            "还是漏",
            {"dissatisfied": 2},
        ),
        ("graded", "采用系统建议：轻微不便", {}, "", {"as_proposed": True}),
        ("auto_upgraded", "受理后 30 天仍未解决：自动升级为重大投诉。", {}, "", {"days": 30}),
        (
            "dispatched",
            "维修工 张师傅",
            {"technician": 3},
            "",
            {"technician": 3, "name": "维修工 张师傅"},
        ),
        ("quoted", "¥120.00", {}, "", {"total": "120.00"}),
        ("callback_assigned", "张三 / 李四", {}, "", {"callers": ["张三", "李四"]}),
        (
            "owner",
            "李四",
            {"from": 7, "to": 8},
            "",
            {"from": 7, "to": 8, "to_name": "李四", "from_name": "张三"},
        ),
        ("reopened", "住户说还是漏水", {}, "住户说还是漏水", {}),  # typed: kept as it is
        ("mystery", "谁也不认识的文字", {}, "谁也不认识的文字", {}),  # unknown: kept as note
    ],
)
def test_the_data_migration_turns_old_sentences_into_parameters(
    action, note, data, new_note, new_data
):
    assert migration.convert(action, note, data, {7: "张三"}) == (new_note, new_data)


def test_every_timeline_action_has_a_label_in_both_languages():
    for model in (RepairEvent, ComplaintEvent):
        for code in model.Action.values:
            with translation.override("zh-hans"):
                assert str(model.Action(code).label) != code, code  # translated
            with translation.override("en"):
                assert str(model.Action(code).label), code


@pytest.mark.django_db
def test_the_data_migration_rewrites_stored_rows_and_reverses(estate, unit, categories, staff):
    repair = _repair(estate, unit, categories, staff)
    old = RepairEvent.objects.create(
        repair=repair,
        at=repair.received_at,
        actor=staff["area_admin"],
        action="callback_attempt",
        note="无人接听 下午再打",
        data={"outcome": "no_answer"},
    )
    typed = RepairEvent.objects.create(
        repair=repair, at=repair.received_at, action="cancelled", note="住户取消"
    )
    migration.forwards(django_apps, None)
    old.refresh_from_db()
    typed.refresh_from_db()
    assert old.note == "下午再打"
    assert old.data == {"outcome": "no_answer", "legacy_note": "无人接听 下午再打"}
    with translation.override("en"):
        assert old.detail == "No answer"
    assert typed.note == "住户取消" and typed.data == {}
    migration.backwards(django_apps, None)
    old.refresh_from_db()
    assert old.note == "无人接听 下午再打" and old.data == {"outcome": "no_answer"}
