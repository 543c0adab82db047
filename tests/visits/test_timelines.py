"""Timelines keep codes and parameters; pages show them in the reader's language."""

import importlib

from django.apps import apps as django_apps
from django.utils import translation

from tests.factories import make_staff
from tests.visits.helpers import client_for, log
from visits.models import DefectEvent, VisitEvent
from visits.services import defects as defect_svc
from visits.services import handover as handover_svc
from visits.services import reception


def test_timelines_show_translated_actions(estate, staff, unit):
    visit = log(estate, staff["frontdesk"], unit=unit)
    defect = defect_svc.defect_create(
        estate=estate, actor=staff["frontdesk"], unit=unit, description="墙面开裂", visit=visit
    )
    defect_svc.defect_send(defect_id=defect.pk, actor=staff["frontdesk"])
    zh = client_for(staff["frontdesk"])
    page = zh.get(visit.get_absolute_url()).content.decode()
    assert "已受理" in page and "转为返修联系单" in page
    assert "to_defect" not in page
    page = zh.get(defect.get_absolute_url()).content.decode()
    assert "已送地产售后" in page
    en = client_for(staff["frontdesk"], "en")
    assert "sent to the developer" in en.get(defect.get_absolute_url()).content.decode()


def test_an_event_recorded_in_zh_hans_reads_in_english_on_an_english_page(
    estate, staff, unit, categories
):
    """Issue 11: rows stored text translated when they were written, so an English page showed
    Chinese. Everything here is recorded while the active language is zh-hans."""
    night = make_staff("night", "frontdesk", estates=[estate])
    with translation.override("zh-hans"):
        visit = log(estate, staff["frontdesk"], unit=unit)
        handover = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"])
        handover_svc.handover_acknowledge(handover_id=handover.pk, actor=night)
        repair = reception.visit_convert_to_repair(
            visit_id=visit.pk, actor=night, category=categories["lighting"], description="灯不亮"
        )
        entry = log(estate, staff["frontdesk"], unit=unit)
        defect = defect_svc.defect_create(
            estate=estate, actor=staff["frontdesk"], unit=unit, description="开裂", visit=entry
        )
        for step in (
            lambda: defect_svc.defect_send(defect_id=defect.pk, actor=night),
            lambda: defect_svc.defect_report_fixed(defect_id=defect.pk, actor=night),
            lambda: defect_svc.defect_inspect(defect_id=defect.pk, actor=night, passed=True),
            lambda: defect_svc.defect_owner_review(defect_id=defect.pk, actor=night, accepted=True),
        ):
            step()
    rows = list(VisitEvent.objects.filter(visit=visit).values_list("note", flat=True))
    assert not any("接班" in note for note in rows)  # nothing translated at write time

    en = client_for(staff["frontdesk"], "en")
    page = en.get(visit.get_absolute_url()).content.decode()
    assert "owner changed" in page and "Shift handover acknowledged" in page
    assert f"became a repair {repair.number}" in page
    assert "已确认接班" not in page and "转为报修" not in page
    page = en.get(entry.get_absolute_url()).content.decode()
    assert f"Defect {defect.number} fixed and accepted by the owner." in page
    assert "已修复并经业主验收" not in page.split('class="timeline"')[1]

    zh = client_for(staff["frontdesk"], "zh-hans")
    page = zh.get(visit.get_absolute_url()).content.decode()
    assert "已确认接班" in page and "Shift handover acknowledged" not in page


def test_every_action_has_a_label():
    for timeline in (VisitEvent, DefectEvent):
        assert timeline.Action is not None and timeline.Status is not None
        for code in timeline.Action.values:
            assert timeline(action=code).action_label != code


def test_migration_turns_old_translated_text_into_codes(estate, staff, unit):
    """visits 0004: numbers, the handover words and the defect sentence become parameters;
    anything else stays in the note."""
    visit = log(estate, staff["frontdesk"], unit=unit)

    def old(action, note, data=None):
        return VisitEvent.objects.create(
            visit=visit, at=visit.received_at, action=action, note=note, data=data or {}
        )

    to_repair = old("to_repair", "BX000007", {"repair": 7})
    handed = old("owner_changed", "已确认接班", {"from": "a", "to": "b", "handover": 3})
    english = old("owner_changed", "Shift handover acknowledged", {"handover": 4})
    typed = old("owner_changed", "下班交给同事", {"from": "a", "to": "b"})
    defect = old("resolved", "返修单 FX000002 已修复并经业主验收。")
    resolved = old("resolved", "已更换门锁")

    migration = importlib.import_module("visits.migrations.0004_timeline_codes")
    migration.forwards(django_apps, None)

    for row in (to_repair, handed, english, typed, defect, resolved):
        row.refresh_from_db()
    assert (to_repair.note, to_repair.data) == ("", {"repair": 7, "number": "BX000007"})
    assert handed.note == "" and handed.data["reason"] == "handover"
    assert english.note == "" and english.data == {"handover": 4, "reason": "handover"}
    assert typed.note == "下班交给同事" and "reason" not in typed.data
    assert defect.note == "" and defect.data == {"defect_accepted": "FX000002"}
    assert resolved.note == "已更换门锁" and resolved.data == {}
    with translation.override("en"):
        assert handed.detail == "a → b · Shift handover acknowledged"
        assert defect.detail == "Defect FX000002 fixed and accepted by the owner."
