"""One vocabulary on every staff page (docs/glossary.md): the demo data set, every page a role can
open (each GET page of the URL conf without an object id, plus one page per kind of object linked
from those), as each role, in zh-hans and English. A zh-hans page shows no English word except
codes, numbers, names and data; an English page shows no Chinese except data."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from propserv.imports import HEADER_ALIASES

STAFF_APPS = {"tickets", "visits", "keys", "fees", "inspections"}
CORE_PAGES = {"home", "calendar", "notifications", "import"}
# Not pages: actions, downloads, JSON, the public resident pages (tests/visits cover those).
NOT_PAGES = {
    "visits:report-choose",
    "visits:track-lookup",
    "visits:lookup-json",
    "keys:vacant-csv",
}
# Words that stay as they are in both languages: the product, file formats, units.
# Words that stay as they are in both languages: the product, file formats and sizes, keys on a
# keyboard; the language switch names each language in that language.
SAME_IN_BOTH = {"PropServ", "PDF", "CSV", "XLSX", "JPEG", "PNG", "HEIC", "MB", "QR", "API", "ID"}
SAME_IN_BOTH |= {"Ctrl", "English"}
# 中文 (the switch); 调休 is the manual's own word, glossed on the calendar form in English too.
CJK_SAME_IN_BOTH = {"中文", "调休"}
# The import page lists the accepted column headings in both languages (they are codes of the
# file format, propserv.imports.HEADER_ALIASES).
IMPORT_HEADINGS = set(HEADER_ALIASES) | set(HEADER_ALIASES.values())
# Every page in zh-hans as every role; in English as these (the phone roles, the desk and the
# superuser, who sees every page) — the English text of a page does not depend on the role.
ENGLISH_AS = {"admin", "frontdesk", "technician", "patrol"}
# Print sheets of every object (all key labels): rendered by the superuser only.
SHEETS = {"/keys/labels/"}
ENGLISH_WORD = re.compile(r"(?<![\w.@/:-])[A-Za-z][A-Za-z’']*[A-Za-z](?![\w.@/:-])")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
MAX_OBJECT_PAGES_PER_NAME = 1


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside script/style/template, plus the labels that
    assistive technology reads (aria-label, title, placeholder, button values)."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._untranslated: list[str] = []  # open elements marked translate="no"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if attrs.get("translate") == "no" or self._untranslated:
            self._untranslated.append(tag)
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("aria-label", "title", "placeholder", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self._untranslated:
            while self._untranslated and self._untranslated.pop() != tag:
                pass
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and not self._untranslated and data.strip():
            self.parts.append(data)


def _patterns(patterns=None, namespace=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield p, f"{namespace}:{p.name}" if namespace else p.name


def _is_staff_page(name: str) -> bool:
    if name in NOT_PAGES:
        return False
    return name in CORE_PAGES or name.split(":")[0] in STAFF_APPS


def _start_pages() -> list[str]:
    """Every staff GET page of the URL conf that needs no object id."""
    urls = []
    for pattern, name in _patterns():
        if _is_staff_page(name) and pattern.pattern.regex.groups == 0:
            urls.append(reverse(name))
    return sorted(set(urls))


def _data_text() -> str:
    """Every text value in the database: names, codes, addresses, descriptions the demo typed."""
    chunks = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                chunks.extend(str(v) for v in row if v)
    return "\n".join(chunks)


def _view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _crawl(client: Client, superuser: bool) -> dict[str, str]:
    """url → visible text of every page this client may open (200 text/html)."""
    queue = [url for url in _start_pages() if superuser or url not in SHEETS]
    seen_names: dict[str, int] = {}
    visited, pages = set(), {}
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        pages[url] = " ".join(parser.parts)
        for href in parser.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or parts.path in visited:
                continue
            name = _view_name(parts.path)
            if name is None or not _is_staff_page(name):
                continue
            if resolve(parts.path).kwargs and seen_names.get(name, 0) < MAX_OBJECT_PAGES_PER_NAME:
                seen_names[name] = seen_names.get(name, 0) + 1
                queue.append(parts.path)
    return pages


def _foreign_words(text: str, language: str, data: str, data_words: set[str]) -> set[str]:
    if language == "zh-hans":
        words = set(ENGLISH_WORD.findall(text))
        allowed = SAME_IN_BOTH | IMPORT_HEADINGS | data_words
        return {w for w in words if w not in allowed}
    runs = set(CJK_RUN.findall(text))
    return {r for r in runs if r not in CJK_SAME_IN_BOTH | IMPORT_HEADINGS and r not in data}


@pytest.mark.django_db
def test_every_staff_page_speaks_one_language(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    data = _data_text()
    data_words = set(re.findall(r"[A-Za-z][A-Za-z’']*[A-Za-z]", data))
    users = list(get_user_model().objects.filter(is_active=True).order_by("username"))
    assert len(users) >= 10  # one per role and the administrator
    problems, counted = [], {"pages": set(), "renders": 0, "en": 0}
    for user in users:
        for language in ("zh-hans", "en") if user.username in ENGLISH_AS else ("zh-hans",):
            client = Client()
            client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for url, text in _crawl(client, user.is_superuser).items():
                counted["pages"].add(url)
                counted["renders"] += 1
                counted["en"] += language == "en"
                foreign = _foreign_words(text, language, data, data_words)
                if foreign:
                    problems.append(f"{language} {user.username} {url}: {sorted(foreign)}")
    print(  # noqa: T201 – the report names these figures
        f"vocabulary: {len(counted['pages'])} pages, {len(users)} users, "
        f"{counted['renders']} renders ({counted['en']} in English)"
    )
    assert len(counted["pages"]) > 60 and counted["en"] > 100
    assert problems == []
