"""Timeline rows keep codes and parameters, never text translated when they were written
(docs/architecture.md, Timelines).

Rows written before this migration carry the code's own sentences in `note` (in English or in
Chinese, whichever language the request had): technician and caller names, "¥120.00", "No
answer 下午再打", "Resident dissatisfied at callback (2/5): …", "As proposed: …". Each sentence
that is recognised becomes parameters in `data` (and `note` keeps only what a person typed);
anything not recognised stays in `note` as it is. Nothing is lost: the sentence the row had is
kept in data["legacy_note"] whenever `note` changes. Reversing puts the old note back.
"""

import re

from django.db import migrations

OUTCOMES = {
    "reached": ("Reached", "已接通"),
    "no_answer": ("No answer", "无人接听"),
    "wrong_number": ("Wrong number", "号码错误"),
}
DISSATISFIED = [
    re.compile(r"^Resident dissatisfied at callback \((\d)/5\): ?(.*)$", re.S),
    re.compile(r"^回访时住户不满意（(\d)/5）：(.*)$", re.S),
    re.compile(r"^Complainant dissatisfied at callback \((\d)/5\): ?(.*)$", re.S),
    re.compile(r"^回访时投诉人不满意（(\d)/5）：(.*)$", re.S),
]
AS_PROPOSED = [re.compile(r"^As proposed: "), re.compile(r"^采用系统建议：")]
UPGRADED = [
    re.compile(r"^Still unresolved (\d+) days after it was received"),
    re.compile(r"^受理后 (\d+) 天仍未解决"),
]
REPEAT = [
    re.compile(r"^Same matter complained about (\d+) times \(first: (\w+)\)\.$"),
    re.compile(r"^同一事项已投诉 (\d+) 次（首次：(\w+)）。$"),
]
QUOTE = re.compile(r"^¥(\d+(?:\.\d+)?)$")
CONSENT = re.compile(r"^(.*?) ?¥(\d+(?:\.\d+)?)$", re.S)
NAMES = ("callback_due", "callback_assigned", "second_handling")


def _first(patterns, text):
    for pattern in patterns:
        found = pattern.match(text)
        if found:
            return found
    return None


def convert(action: str, note: str, data: dict, names: dict) -> tuple[str, dict]:
    """(new note, new data) of one row; the same row when nothing is recognised."""
    data = dict(data or {})
    text = (note or "").strip()
    if not text:
        return note, data
    if action == "callback_attempt" and data.get("outcome") in OUTCOMES:
        for label in OUTCOMES[data["outcome"]]:
            if text == label or text.startswith(label + " "):
                return text[len(label) :].strip(), data
        return note, data
    if action in NAMES:
        key = "handlers" if action == "second_handling" else "callers"
        data.setdefault(key, [part.strip() for part in text.split(" / ") if part.strip()])
        return "", data
    if action == "dispatched":
        data.setdefault("name", text)
        return "", data
    if action == "quoted" and QUOTE.match(text):
        data.setdefault("total", QUOTE.match(text).group(1))
        return "", data
    if action == "consent" and CONSENT.match(text):
        found = CONSENT.match(text)
        data.setdefault("resident", found.group(1).strip())
        data.setdefault("amount", found.group(2))
        return "", data
    if action == "reopened":
        found = _first(DISSATISFIED, text)
        if found:
            data.setdefault("dissatisfied", int(found.group(1)))
            return found.group(2).strip(), data
        return note, data
    if action in ("graded", "regraded", "auto_upgraded"):
        if _first(AS_PROPOSED, text):
            data.setdefault("as_proposed", True)
            return "", data
        found = _first(UPGRADED, text)
        if found:
            data.setdefault("days", int(found.group(1)))
            return "", data
        return note, data
    if action == "owner":
        data.setdefault("to_name", text)
        if data.get("from") and "from_name" not in data:
            data["from_name"] = names.get(data["from"], "")
        return "", data
    if action == "repeat":
        found = _first(REPEAT, text)
        if found:
            data.setdefault("count", int(found.group(1)))
            data.setdefault("first_number", found.group(2))
            return "", data
    return note, data


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    names = {
        u.pk: (f"{u.first_name} {u.last_name}".strip() or u.username)
        for u in User.objects.only("pk", "first_name", "last_name", "username")
    }
    for model_name in ("RepairEvent", "ComplaintEvent"):
        model = apps.get_model("tickets", model_name)
        changed = []
        for event in model.objects.exclude(note="").iterator(chunk_size=2000):
            note, data = convert(event.action, event.note, event.data, names)
            if note != event.note or data != (event.data or {}):
                data["legacy_note"] = event.note
                event.note, event.data = note, data
                changed.append(event)
        model.objects.bulk_update(changed, ["note", "data"], batch_size=1000)


def backwards(apps, schema_editor):
    for model_name in ("RepairEvent", "ComplaintEvent"):
        model = apps.get_model("tickets", model_name)
        changed = []
        for event in model.objects.filter(data__has_key="legacy_note").iterator(chunk_size=2000):
            event.note = event.data.pop("legacy_note")
            changed.append(event)
        model.objects.bulk_update(changed, ["note", "data"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_repair_status_recent"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
