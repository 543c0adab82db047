"""One vocabulary at the front desk (issue 12, item 4): a phone contact is not a visit, a caller
has a 姓名 not a 名称, an entry has a 事由 not a 概览 (Django admin's word for "Summary")."""

import re

from tests.visits.helpers import client_for, log


def visible(html: str) -> str:
    """The text a reader sees (no tags, scripts or attribute values)."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_phone_entry_speaks_of_a_caller_not_a_visit(estate, staff, unit):
    entry = log(estate, staff["frontdesk"], "问停水时间", unit=unit, caller_name="王先生")
    page = visible(client_for(staff["frontdesk"]).get(entry.get_absolute_url()).content.decode())
    assert "来电人" in page
    assert "来访" not in page


def test_a_walk_in_is_a_visitor(estate, staff, unit):
    entry = log(estate, staff["frontdesk"], "问停水时间", unit=unit)
    entry.channel = "walk_in"
    entry.save(update_fields=["channel"])
    page = visible(client_for(staff["frontdesk"]).get(entry.get_absolute_url()).content.decode())
    assert "来访人" in page


def test_the_entry_form_uses_the_desk_words(estate, staff):
    page = visible(client_for(staff["frontdesk"]).get("/visits/").content.decode())
    for word in ("姓名", "事由", "接待方式", "联系人"):
        assert word in page, word
    for wrong in ("名称", "概览", "过滤器", "来访方式"):
        assert wrong not in page, wrong


def test_english_entry_form(estate, staff):
    page = visible(client_for(staff["frontdesk"], "en").get("/visits/").content.decode())
    assert "Summary" in page and "Name" in page
