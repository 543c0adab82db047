"""Staff work in Chinese by default; English is one click away. The core catalogue is complete."""

from __future__ import annotations

import gettext
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from propserv.models import Resident, Unit
from propserv.roles import Role

CATALOGUE = Path(__file__).resolve().parents[2] / "propserv/locale/zh_Hans/LC_MESSAGES"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def switch_to_english(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_login_page_is_chinese_by_default_and_english_after_switching(client):
    body = page(client, reverse("login"))
    assert '<html lang="zh-hans">' in body
    for text in ("客服中心", "用户名", "密码", "登录", "跳到正文"):
        assert text in body, text
    assert "Username" not in body and "Customer-service centre" not in body
    switch_to_english(client)
    body = page(client, reverse("login"))
    assert '<html lang="en">' in body
    for text in ("Customer-service centre", "Username", "Password", "Log in"):
        assert text in body, text
    assert "用户名" not in body
    assert "中文" in body  # the way back


@pytest.mark.django_db
def test_home_page_is_chinese_by_default_and_english_after_switching(client, staff, estate):
    client.force_login(staff["frontdesk"])
    body = page(client, reverse("home"))
    for text in ("欢迎，frontdesk", "首页", "工作日历", "注销", "客服中心", "应急电话"):
        assert text in body, text
    assert "Log out" not in body
    switch_to_english(client)
    body = page(client, reverse("home"))
    for text in ("Welcome, frontdesk", "Home", "Calendar", "Log out", "Emergency"):
        assert text in body, text
    assert "注销" not in body


@pytest.mark.django_db
def test_calendar_page_in_both_languages(client, staff):
    client.force_login(staff["supervisor"])
    body = page(client, reverse("calendar") + "?year=2027")
    assert "2027 年工作日历" in body
    assert "本年度为暂定" in body
    assert re.search(r'<th scope="col">一</th>.*<th scope="col">日</th>', body)
    switch_to_english(client)
    body = page(client, reverse("calendar") + "?year=2027")
    assert "Working-day calendar 2027" in body
    assert "This year is provisional" in body
    assert re.search(r'<th scope="col">Mo</th>.*<th scope="col">Su</th>', body)


@pytest.mark.django_db
def test_import_errors_are_translated(client, admin_user, unit):
    client.force_login(admin_user)
    content = "小区,房号,姓名,电话\nNOWHERE,3-2-1502,王伟,12345\nCUIHU,3-2-1502,李娜,12345\n"
    response = client.post(
        reverse("import"),
        {"kind": "residents", "file": SimpleUploadedFile("r.csv", content.encode())},
    )
    body = response.content.decode()
    assert "未导入任何数据" in body
    assert "未知小区“NOWHERE”" in body
    assert "电话“12345”不是有效号码" in body
    assert Resident.objects.count() == 0


def test_role_and_model_labels():
    with translation.override("zh-hans"):
        labels = [str(role.label) for role in Role]
        assert labels == [
            "前台接待员",
            "区域管理员",
            "客服主管",
            "项目经理",
            "品质部",
            "总经理",
            "维修工",
            "巡逻岗",
            "财务",
        ]
        assert str(Resident.Role.OWNER.label) == "业主"
        assert str(Resident.Role.TENANT.label) == "租户"
        assert str(Resident._meta.verbose_name) == "住户"
        assert str(Unit._meta.get_field("code").verbose_name) == "房号"
    with translation.override("en"):
        assert str(Role.FRONT_DESK.label) == "Front-desk receptionist"


def test_every_message_of_the_catalogue_is_translated_and_compiled():
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    assert len(entries) > 150
    untranslated = [
        e.splitlines()[-1] for e in entries if re.search(r'^msgstr(\[0\])? ""$', e, re.MULTILINE)
    ]
    assert untranslated == []
    assert "#, fuzzy" not in po
    mo = CATALOGUE / "django.mo"
    assert mo.exists() and mo.stat().st_mtime >= (CATALOGUE / "django.po").stat().st_mtime - 1


def test_shared_templates_are_translated():
    """Every {% translate "…" %} of the shared templates/ has a Chinese translation in some
    catalogue (the core's, or the module's that added the string)."""
    root = Path(__file__).resolve().parents[2] / "templates"
    same_in_both = {"PropServ", "English"}
    untranslated = []
    with translation.override("zh-hans"):
        for template in root.rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            for message in re.findall(r"""{%\s*(?:translate|trans)\s+"([^"]+)"\s*%}""", text):
                if message not in same_in_both and translation.gettext(message) == message:
                    untranslated.append(f"{template.relative_to(root)}: {message}")
    assert untranslated == []


def _our_catalogues() -> dict[str, dict]:
    """The compiled zh-hans catalogue of each of our apps (those inside the repository)."""
    root = Path(__file__).resolve().parents[2]
    catalogues = {}
    for config in apps.get_app_configs():
        mo = Path(config.path) / "locale/zh_Hans/LC_MESSAGES/django.mo"
        if Path(config.path).parent == root and mo.exists():
            with mo.open("rb") as f:
                catalogues[config.label] = gettext.GNUTranslations(f)._catalog
    return catalogues


def _shown(key) -> str:
    msgid = key[0] if isinstance(key, tuple) else key
    return msgid.replace("\x04", " | ")  # msgctxt and msgid


def test_no_msgid_translated_two_ways():
    """One English word, one Chinese word (docs/glossary.md). Django merges every app's catalogue
    into one, so a msgid two apps translate differently shows whichever app comes first in
    INSTALLED_APPS; a word with two meanings gets a pgettext context instead. And django.contrib's
    catalogues must not override ours (the core catalogue is in LOCALE_PATHS, which wins)."""
    catalogues = _our_catalogues()
    assert {"propserv", "tickets", "visits", "keys", "fees", "inspections"} <= set(catalogues)
    seen: dict = defaultdict(dict)
    for app, catalogue in catalogues.items():
        for key, text in catalogue.items():
            if key:  # "" is the header
                seen[key][app] = text
    two_ways = sorted(
        f"{_shown(key)!r}: " + ", ".join(f"{app} {text}" for app, text in sorted(by_app.items()))
        for key, by_app in seen.items()
        if len(set(by_app.values())) > 1
    )
    assert two_ways == []
    merged = trans_real.translation("zh-hans")._catalog  # what a page shows
    overridden = sorted(
        f"{_shown(key)!r}: ours {next(iter(by_app.values()))}, shown {merged.get(key)}"
        for key, by_app in seen.items()
        if merged.get(key) != next(iter(by_app.values()))
    )
    assert overridden == []
    with translation.override("zh-hans"):  # the words the issue named, as a page shows them
        assert translation.gettext("Summary") != "概览"
        assert translation.gettext("Filter") == "筛选"
        assert translation.gettext("Unit") == "房号"
        assert translation.pgettext("rectification", "Open") == "未整改"
        assert translation.gettext("Open") == "未结案"
