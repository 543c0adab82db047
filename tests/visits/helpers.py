"""Small helpers the visits tests share (fixtures are in conftest.py)."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD
from visits.services import notices as notice_svc
from visits.services import reception


def client_for(user, lang: str = "zh-hans") -> Client:
    """A browser logged in as `user`, reading pages in `lang`."""
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = lang
    return client


def log(estate, actor, summary="问停水时间", **kwargs):
    """One phone call in the duty log, received by `actor`."""
    return reception.visit_create(
        estate=estate, actor=actor, channel="phone", category="other", summary=summary, **kwargs
    )


def log_call(estate, staff, **kwargs):
    """One phone call in the duty log, received by the front desk (or `actor`)."""
    data = {
        "estate": estate,
        "actor": staff["frontdesk"],
        "channel": "phone",
        "category": "other",
        "summary": "问小区停水时间",
    }
    data.update(kwargs)
    return reception.visit_create(**data)


def phone_notice(estate, actor, title="停水通知"):
    return notice_svc.notice_create(
        estate=estate, actor=actor, kind="phone", title=title, body="3栋明日停水"
    )


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)
