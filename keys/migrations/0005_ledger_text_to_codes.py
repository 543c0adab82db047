"""The key ledger's text written in the writer's language becomes codes and parameters.

Until 0004 the services wrote parties and reasons as text translated at write time ("柜位 A-02",
"Owner 陈业主", "已清点；待验房"), so an English page showed Chinese and the other way round. Each
event's text the code wrote (English or Chinese) is recognised here and moved into `data` as a
code with its parameters; what a person typed stays in its column. Nothing is lost: the original
text of every changed column is kept in data["was"], and text not recognised stays as it was.
The same for a loan's closing note (-> KeyLoan.close_reason).

The ledger is append-only (migration 0002: a trigger refuses UPDATE and DELETE). This migration
switches that trigger off for its own transaction only and on again before it commits.
"""

import re

from django.db import migrations

# code -> (English, Chinese) as the services wrote them (keys/locale, before 0004).
PARTIES = {
    "slot_received_by": (
        "Cabinet slot %(slot)s, received by %(name)s",
        "柜位 %(slot)s，接收人 %(name)s",
    ),
    "collector_for_owner": (
        "%(name)s for the owner (confirmed by phone)",
        "%(name)s 代业主领取（已电话确认）",
    ),
    "front_desk_person": ("Front desk: %(name)s", "前台：%(name)s"),
    "area_admin_person": ("Area administrator: %(name)s", "区域管理员：%(name)s"),
    "slot": ("Cabinet slot %(slot)s", "柜位 %(slot)s"),
    "owner": ("Owner %(name)s", "业主 %(name)s"),
    "front_desk": ("Front desk", "前台"),
    "developer": ("Developer", "开发商"),
}
REASONS = {
    "registered": ("Registered", "登记入柜"),
    "into_slot": ("Into cabinet slot %(slot)s", "放入柜位 %(slot)s"),
    "owner_confirmed": ("Owner confirmed", "业主已确认"),
    "owner_not_confirmed": ("Owner did NOT confirm", "业主未确认"),
    "identity_checked": (
        "Identity checked, ID card ending %(last4)s",
        "已核验身份，身份证尾号 %(last4)s",
    ),
    "move_in_receipt": ("Move-in, receipt %(number)s", "入伙交付，签收单 %(number)s"),
    "back_to_rectify": ("Back to the contractor to rectify", "再次借给施工方整改"),
    "count_checked_inspection_due": ("Count checked; unit inspection due", "已清点；待验房"),
    "count_checked": ("Count checked", "已清点"),
    "inspection_passed": ("Passed", "合格"),
    "inspection_failed": ("Failed: %(what)s", "不合格：%(what)s"),
    "unit_inspection_passed": ("Unit inspection passed", "验房合格"),
    "lock_changed": ("Lock changed", "已换锁"),
    "new_lock": ("New lock; replaces key %(tag)s", "新锁；替换钥匙 %(tag)s"),
}
# kind -> {column: codes the services wrote there}; a typed note may follow some reasons.
WRITTEN = {
    "registered": {"from_party": ["developer"], "to_party": ["slot"], "reason": ["registered", "new_lock"]},
    "entrusted": {"from_party": ["owner"], "to_party": ["front_desk_person"]},
    "handed_over": {
        "from_party": ["front_desk_person"],
        "to_party": ["area_admin_person"],
        "reason": ["into_slot"],
    },
    "lent": {"from_party": ["slot"], "reason": ["back_to_rectify"]},
    "returned": {
        "to_party": ["slot_received_by"],
        "reason": ["count_checked_inspection_due", "count_checked"],
    },
    "inspected": {"reason": ["inspection_passed", "inspection_failed"]},
    "loan_closed": {"reason": ["unit_inspection_passed"]},
    "owner_call": {"from_party": ["owner"], "reason": ["owner_confirmed", "owner_not_confirmed"]},
    "returned_to_owner": {
        "from_party": ["slot", "front_desk"],
        "to_party": ["collector_for_owner", "owner"],
        "reason": ["identity_checked"],
    },
    "issued_to_owner": {"from_party": ["slot"], "to_party": ["owner"], "reason": ["move_in_receipt"]},
    "reported_lost": {"from_party": ["slot"]},
    "retired": {"reason": ["lock_changed"]},
}
# The typed text the services appended to a coded reason: " — notes" after an inspection's
# result, ": note" after a call's answer.
NOTE_AFTER = {
    "inspection_passed": " — ",
    "inspection_failed": " — ",
    "owner_confirmed": ": ",
    "owner_not_confirmed": ": ",
}
COLUMN_KEY = {"from_party": "from", "to_party": "to", "reason": "why"}
LOAN_CLOSE = {"key_lost": ("Key reported lost", "钥匙报失"), "inspection_passed": REASONS["unit_inspection_passed"]}


def _pattern(template: str, note_after: str | None) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    if note_after:
        regex += f"(?:{re.escape(note_after)}(?P<_note>.*))?"
    return re.compile("^" + regex + "$", re.S)


def _recognise(table: dict, codes: list[str], text: str):
    """(code spec, the typed note) when `text` is what the code wrote, else None."""
    for code in codes:
        for template in table[code]:
            match = _pattern(template, NOTE_AFTER.get(code)).match(text)
            if match:
                params = {k: v for k, v in match.groupdict().items() if k != "_note" and v}
                return {"code": code, **params}, (match.groupdict().get("_note") or "")
    return None


def _convert_event(event) -> dict:
    """{column: new value} and the new data of one event ({} when nothing was recognised)."""
    written = WRITTEN.get(event.kind, {})
    data, changed, was = dict(event.data or {}), {}, {}
    for column, codes in written.items():
        text = getattr(event, column)
        if not text or COLUMN_KEY[column] in data:
            continue
        table = REASONS if column == "reason" else PARTIES
        found = _recognise(table, codes, text)
        if found is None:
            continue  # typed text, or text this migration does not know: kept as it is
        spec, note = found
        data[COLUMN_KEY[column]] = spec
        changed[column] = note
        was[column] = text
    if not changed:
        return {}
    data["was"] = was
    return {**changed, "data": data}


def forwards(apps, schema_editor):
    KeyEvent = apps.get_model("keys", "KeyEvent")
    KeyLoan = apps.get_model("keys", "KeyLoan")
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute("ALTER TABLE keys_keyevent DISABLE TRIGGER keys_keyevent_append_only")
    for event in KeyEvent.objects.exclude(kind__in=["moved", "owner_consent", "lock_changed"]).iterator():
        changes = _convert_event(event)
        if changes:
            KeyEvent.objects.filter(pk=event.pk).update(**changes)
    schema_editor.execute("ALTER TABLE keys_keyevent ENABLE TRIGGER keys_keyevent_append_only")
    for code, texts in LOAN_CLOSE.items():
        KeyLoan.objects.filter(close_reason="", close_note__in=texts).update(
            close_reason=code, close_note=""
        )


def backwards(apps, schema_editor):
    """Put the original text back (0004's reversal then drops the codes)."""
    KeyEvent = apps.get_model("keys", "KeyEvent")
    KeyLoan = apps.get_model("keys", "KeyLoan")
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute("ALTER TABLE keys_keyevent DISABLE TRIGGER keys_keyevent_append_only")
    for event in KeyEvent.objects.filter(data__has_key="was").iterator():
        KeyEvent.objects.filter(pk=event.pk).update(**event.data["was"])
    schema_editor.execute("ALTER TABLE keys_keyevent ENABLE TRIGGER keys_keyevent_append_only")
    for code, (english, _chinese) in LOAN_CLOSE.items():
        KeyLoan.objects.filter(close_reason=code, close_note="").update(close_note=english)


class Migration(migrations.Migration):
    dependencies = [("keys", "0004_ledger_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
