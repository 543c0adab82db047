"""Timeline rows keep codes and parameters, not text translated when they were written
(docs/architecture.md, "The shared contracts": Timelines).

Reception entries' events wrote the number of the repair, complaint or defect form they became
into `note`, the words "Shift handover acknowledged" (in the writer's language) on an ownership
change made by a handover, and "Defect … fixed and accepted by the owner." on an entry resolved
by its defect form. Those become parameters in `data`; anything not recognised stays in `note`.
"""

import re

from django.db import migrations

HANDOVER_WORDS = {"Shift handover acknowledged", "已确认接班"}
DEFECT_ACCEPTED = [
    re.compile(r"^Defect (?P<number>FX\d+) fixed and accepted by the owner\.$"),
    re.compile(r"^返修单 (?P<number>FX\d+) 已修复并经业主验收。$"),
]
NUMBER_ACTIONS = {"to_repair", "to_complaint", "to_defect"}


def forwards(apps, schema_editor):
    VisitEvent = apps.get_model("visits", "VisitEvent")
    rows = VisitEvent.objects.filter(
        action__in=[*NUMBER_ACTIONS, "owner_changed", "resolved"]
    ).exclude(note="")
    for event in rows.iterator():
        data = dict(event.data or {})
        note = event.note.strip()
        if event.action in NUMBER_ACTIONS and re.fullmatch(r"[A-Z]{1,3}\d+", note):
            data.setdefault("number", note)
            note = ""
        elif event.action == "owner_changed" and note in HANDOVER_WORDS:
            data["reason"] = "handover"
            note = ""
        elif event.action == "resolved":
            for pattern in DEFECT_ACCEPTED:
                match = pattern.match(note)
                if match:
                    data["defect_accepted"] = match["number"]
                    note = ""
                    break
        if note != event.note.strip() or data != event.data:
            event.note, event.data = note, data
            event.save(update_fields=["note", "data"])


def backwards(apps, schema_editor):
    VisitEvent = apps.get_model("visits", "VisitEvent")
    for event in VisitEvent.objects.filter(note="").iterator():
        data = dict(event.data or {})
        if data.get("number") and event.action in NUMBER_ACTIONS:
            event.note = data.pop("number")
        elif data.get("reason") == "handover":
            data.pop("reason")
            event.note = "Shift handover acknowledged"
        elif data.get("defect_accepted"):
            event.note = f"Defect {data.pop('defect_accepted')} fixed and accepted by the owner."
        else:
            continue
        event.data = data
        event.save(update_fields=["note", "data"])


class Migration(migrations.Migration):
    dependencies = [("visits", "0003_shared_timeline_and_phone")]

    operations = [migrations.RunPython(forwards, backwards)]
