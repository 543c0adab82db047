"""The residents' public pages under generated input (hypothesis): the repair form and the
tracking pages never answer a server error, and a post the form refuses writes nothing."""

from __future__ import annotations

import os
from urllib.parse import quote

from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propserv.models import Resident
from tickets.demo import ensure_reference_data
from tickets.models import Repair
from visits.models import Visit

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5")) * 10
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.text(max_size=80)
# Real values now and then, so some posts get past the form and are written.
UNIT = st.one_of(TEXT, st.just("3-2-1502"))
PHONE = st.one_of(TEXT, st.just("13800138000"), st.from_regex(r"\A1[3-9]\d{9}\Z"))
DESCRIPTION = st.one_of(st.text(max_size=1200), st.just("厨房水管漏水，请尽快处理"))


def _counts():
    return Repair.objects.count(), Visit.objects.count(), Resident.objects.count()


@FUZZ
@given(
    unit=UNIT,
    name=TEXT,
    phone=PHONE,
    category=st.one_of(TEXT, st.integers().map(str)),
    description=DESCRIPTION,
    when=st.one_of(TEXT, st.just("2026-13-45T25:61"), st.just("")),
    honeypot=st.sampled_from(["", "http://spam.example"]),
    submission=st.text(max_size=70),
)
def test_the_repair_form_never_fails_and_a_refused_post_writes_nothing(
    client, estate, unit, name, phone, category, description, when, honeypot, submission
):
    cache.clear()  # the rate limits would stop the run after a few posts
    before = _counts()
    response = client.post(
        f"/report/{estate.code}/",
        {
            "unit_code": unit,
            "name": name,
            "phone": phone,
            "category": category,
            "description": description,
            "preferred_visit_at": when,
            "website": honeypot,
            "submission": submission,
        },
    )
    assert response.status_code < 500
    if response.status_code != 302:  # not accepted (a refusal, or the robots' fake success)
        assert _counts() == before


@FUZZ
@given(token=st.text(min_size=1, max_size=60), code=TEXT, phone=TEXT)
def test_tracking_pages_never_fail_and_never_guess(client, estate, token, code, phone):
    cache.clear()
    assert client.get(f"/track/{quote(token, safe='')}/").status_code in {400, 404}
    assert client.post("/track/", {"code": code, "phone": phone}).status_code < 500


def test_a_valid_post_is_written_once(client, estate, unit):
    """The generated runs above include accepted posts; this one makes sure the form works."""
    ensure_reference_data(estate)
    category = estate.repair_categories.first()
    response = client.post(
        f"/report/{estate.code}/",
        {
            "unit_code": unit.code,
            "name": "王先生",
            "phone": "13800138000",
            "category": category.pk,
            "description": "厨房水管漏水，请尽快处理",
        },
    )
    assert response.status_code == 302
    assert Repair.objects.filter(estate=estate, unit=unit).count() == 1
