"""The estate wall, generated from the URL conf and the OpenAPI schema (docs/architecture.md,
"Roles and checks"): on the demo estate, every object endpoint and page — GET and every write —
answers 404 to a user of another estate who holds every role, and writes nothing; anonymous
callers get 401 from the API and the login page from the site.

A new endpoint or page is covered without editing this file; one whose object cannot be found
in the demo data fails here until the demo has one (or the route is added to a list below, with
the reason)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from fees.models import Payment
from fees.services import arrears, cashdesk
from inspections.models import Renovation
from inspections.services import quality_night, releases, renovations
from keys.models import Key
from keys.services import lock_changes, vacant
from propserv.models import Building, Estate, Notification, StaffProfile, Unit
from propserv.roles import Role
from tests.factories import EstateFactory, make_staff
from visits.models import OfficeTenant
from visits.services import handover, registers

pytestmark = pytest.mark.django_db

OUR_APPS = ("propserv", "tickets", "visits", "keys", "fees", "inspections")
# Pages for residents without a login (tests/visits cover their own abuse cases).
PUBLIC_PAGES = {"visits:report", "visits:track", "visits:track-rate", "tickets:survey-public"}
PUBLIC_LOOKUPS = {"visits:report-choose", "visits:track-lookup"}
# Anonymous API calls that are meant to work without a token.
PUBLIC_API = {("/api/v1/auth/token/", "post")}
# The slug an action route gets: any action will do, the object must not be found first.
ACTION_SLUG = {"action": "close", "name": "close", "month": "2026-01", "code": "x", "token": "x"}


def object_in(model: type[models.Model], estate: Estate):
    """Some row of `model` that belongs to `estate`: through its own `estate` field, or one
    foreign key away (a photo through its repair, a reply through its complaint …)."""
    names = {f.name for f in model._meta.get_fields()}
    if model is Estate:
        return estate
    if model is get_user_model_cls():
        return StaffProfile.objects.filter(estates=estate).first().user
    if model is Notification:
        return Notification.objects.filter(recipient__staff__estates=estate).first()
    if "estate" in names:
        return model.objects.filter(estate=estate).order_by("pk").first()
    for field in model._meta.get_fields():
        target = getattr(field, "related_model", None)
        if field.many_to_one and target and "estate" in {f.name for f in target._meta.get_fields()}:
            return model.objects.filter(**{f"{field.name}__estate": estate}).order_by("pk").first()
    return None


def get_user_model_cls():
    return apps.get_model("auth", "User")


# --- the routes -----------------------------------------------------------------------------


def _patterns(patterns=None, namespace="", prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from _patterns(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), prefix + str(p.pattern)


# url kwarg → the model its id names, per route family (the part of the path before the id)
WEB_MODELS = {
    "tickets/repairs/": "tickets.Repair",
    "tickets/complaints/": "tickets.Complaint",
    "tickets/callbacks/": "tickets.Callback",
    "tickets/second-handlings/": "tickets.SecondHandling",
    "tickets/surveys/": "tickets.Survey",
    "visits/": "visits.Visit",
    "visits/handovers/": "visits.Handover",
    "visits/defects/": "visits.Defect",
    "visits/lost-found/": "visits.LostItem",
    "visits/incidents/": "visits.Incident",
    "visits/notices/": "visits.Notice",
    "visits/qr/": "propserv.Building",
    "visits/rentals/": "visits.RentalMatch",  # a match's buttons; withdraw/propose name others
    "visits/rentals/units/": "visits.RentalListing",
    "visits/rentals/seekers/": "visits.RentalSeeker",
    "visits/rentals/leases/": "visits.Lease",
    "visits/move-outs/": "visits.MoveOut",
    "visits/gate/": "visits.GateVisitor",
    "visits/parcels/": "visits.Parcel",
    "visits/relay/": "visits.RelayItem",
    "visits/patrols/": "visits.CommonPatrol",
    "visits/patrols/places/": "visits.PatrolPlace",
    "visits/titles/": "visits.TitleCertificate",
    "keys/": "keys.Key",
    "keys/units/": "propserv.Unit",
    "keys/receipts/": "keys.KeyReceipt",
    "keys/loans/": "keys.KeyLoan",
    "keys/borrowers/staff/": "auth.User",
    "keys/borrowers/person/": "keys.ContractorPerson",
    "keys/contractors/": "keys.Contractor",
    "keys/incidents/": "keys.KeyIncident",
    "keys/vacant/": "keys.VacantInspection",
    "fees/receipts/": "fees.Payment",
    "fees/payments/": "fees.Payment",
    "fees/units/": "propserv.Unit",
    "fees/notices/": "fees.ArrearsNotice",
    "fees/days/": "fees.DayClose",
    "inspections/": "inspections.Renovation",
    "inspections/documents/": "inspections.RenovationDocument",
    "inspections/passes/": "inspections.WorkerPass",
    "inspections/notices/": "inspections.Rectification",
    "inspections/releases/": "inspections.GoodsRelease",
    "inspections/handover/problems/": "inspections.Problem",
    "inspections/handover/movein/": "inspections.MoveInAppointment",
    "inspections/handover/movein/plans/": "inspections.MoveInPlan",
    "inspections/handover/movein/batches/": "inspections.MoveInBatch",
    "inspections/handover/movein/prep/": "inspections.PrepItem",
    "inspections/handover/milestones/": "inspections.Milestone",
    "inspections/quality/templates/": "inspections.QualityTemplate",
    "inspections/quality/checks/": "inspections.QualityCheck",
    "inspections/quality/defects/": "inspections.Defect",
    "inspections/quality/nonconformities/": "inspections.NonConformity",
    "dashboard/report/": "propserv.Estate",
}
SECOND_ID_MODELS = {
    "photo_pk": "tickets.RepairPhoto",
    "reply_pk": "tickets.ComplaintReply",
}
STR_ID_MODELS = {"keys/tag/": ("keys.Key", "tag_code")}

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def web_routes(estate):
    """(name, url, problem) for every staff page with an id in its path."""
    for name, route in _patterns():
        if "<" not in route or route.startswith(("api/", "admin/")) or name in PUBLIC_PAGES:
            continue
        head = route[: PARAM.search(route).start()]
        url, problem = route, ""
        for match in PARAM.finditer(route):
            converter, kwarg = match.group(1) or "str", match.group(2)
            if kwarg in SECOND_ID_MODELS:
                label = SECOND_ID_MODELS[kwarg]
            elif converter == "int":
                label = WEB_MODELS.get(head)
            elif head in STR_ID_MODELS:
                label, attr = STR_ID_MODELS[head]
                obj = object_in(apps.get_model(label), estate)
                value = getattr(obj, attr, "") if obj else ""
                url = url.replace(match.group(0), str(value), 1)
                problem = problem or ("" if value else f"no {label} in the demo")
                continue
            else:
                url = url.replace(match.group(0), ACTION_SLUG.get(kwarg, "x"), 1)
                continue
            if label is None:
                problem = f"no model named for {head!r} in WEB_MODELS"
                continue
            obj = object_in(apps.get_model(label), estate)
            if obj is None:
                problem = problem or f"no {label} in the demo"
                continue
            url = url.replace(match.group(0), str(obj.pk), 1)
        yield name, "/" + url, problem


def api_routes(schema: dict, estate):
    """(path, method, url, problem) for every schema operation on one object."""
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        sample = path.replace("{id}", "1")
        view = resolve(sample).func
        cls = getattr(view, "cls", None)
        queryset = getattr(cls, "queryset", None)
        model = queryset.model if queryset is not None else None
        obj = object_in(model, estate) if model is not None else None
        for method in operations:
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if model is None or obj is None:
                problem = f"no object for {path} ({model.__name__ if model else 'no queryset'})"
                yield path, method, sample, problem
                continue
            yield path, method, path.replace("{id}", str(obj.pk)), ""


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for label in OUR_APPS
        for m in apps.get_app_config(label).get_models()
    }


# Objects the demo has no row of: made here through their services (see fill_the_gaps) except
# these, whose route is reached only after a long workflow; each has its own scoping test.
NOT_MADE_HERE = {
    "keys:receipt": "tests/keys/test_move_in.py (a move-in issue needs an accepted hand-over)",
}


def fill_the_gaps(estate) -> None:
    """One row of every kind the demo does not make, so every route has an object to try."""
    user = {u.username: u for u in get_user_model_cls().objects.filter(staff__estates=estate)}
    now = timezone.now()
    handover.handover_create(estate=estate, actor=user["frontdesk"], note="交班")
    registers.incident_record(
        estate=estate,
        actor=user["frontdesk"],
        kind="flooding",
        location="2栋地下室",
        description="水管爆裂",
    )
    vacant.vacant_plan_generate(
        estate=estate, month=now.date().replace(day=1), actor=user["supervisor"]
    )
    key = Key.objects.filter(estate=estate).order_by("pk").first()
    lock_changes.incident_report(
        key=key,
        kind="lost",
        description="钥匙遗失",
        responsible_party="员工",
        actor=user["frontdesk"],
    )
    unit = Unit.objects.filter(estate=estate).order_by("pk").first()
    releases.release_issue(
        unit=unit,
        carrier_kind="resident",
        carrier_name="王先生",
        goods="旧沙发",
        quantity=1,
        valid_on=now.date(),
        actor=user["frontdesk"],
    )
    renovation = Renovation.objects.filter(estate=estate).order_by("pk").first()
    image = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 200, 200)).save(image, "PNG")
    renovations.renovation_add_document(
        renovation=renovation,
        kind="drawing",
        upload=SimpleUploadedFile("plan.png", image.getvalue(), content_type="image/png"),
        actor=user["frontdesk"],
    )
    paid = Payment.objects.filter(estate=estate).order_by("pk").first()
    cashdesk.day_close(
        estate=estate,
        cashier=paid.taken_by,
        day=timezone.localtime(paid.taken_at).date(),
        counted_cash=0,
        explanation="差额已交财务核对",
        actor=user["finance"],
    )
    arrears.notice_prepare(estate=estate, actor=user["finance"])
    quality_night.weather_warning_record(
        estate=estate, kind="rainstorm", level="黄色", starts_at=now, actor=user["supervisor"]
    )
    # The demo estate is residential: its service refuses a tenant directory (only commercial
    # estates keep one), so the one row the lobby's routes need is written directly.
    OfficeTenant.objects.create(
        estate=estate,
        company="恒信会计师事务所",
        floor=unit.floor or 1,
        unit=unit,
        added_at=now,
        added_by=user["frontdesk"],
    )


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    estate = Estate.objects.get(code="CUIHU")
    fill_the_gaps(estate)
    other = EstateFactory(code="ELSEWHERE", name="别处")
    stranger = make_staff("stranger", *[r.value for r in Role], estates=[other])
    return estate, stranger


def test_another_estates_user_gets_404_everywhere_and_changes_nothing(demo):
    estate, stranger = demo
    api = APIClient()
    api.force_authenticate(stranger)
    schema = json.loads(api.get("/api/schema/", {"format": "json"}).content)
    web = Client()
    web.force_login(stranger)

    before = row_counts()
    leaks, missing, checked = [], [], 0
    for _path, method, url, problem in api_routes(schema, estate):
        if problem:
            missing.append(problem)
            continue
        response = getattr(api, method)(url, {}, format="json")
        checked += 1
        if response.status_code != 404:
            leaks.append(f"API {method.upper()} {url} → {response.status_code}")
    for name, url, problem in web_routes(estate):
        if problem and name not in NOT_MADE_HERE:
            missing.append(f"{name}: {problem}")
        if problem:
            continue
        for method in ("get", "post"):
            response = getattr(web, method)(url)
            checked += 1
            if method == "get" and response.status_code == 405:
                continue  # a form's target only: its POST must be the 404
            if response.status_code != 404:
                leaks.append(f"page {method.upper()} {name} {url} → {response.status_code}")
    assert not missing, "\n".join(sorted(set(missing)))
    assert not leaks, "\n".join(leaks)
    assert row_counts() == before
    assert checked > 150  # every route above was really tried


def test_anonymous_gets_401_from_the_api_and_the_login_page_from_the_site(client):
    estate = EstateFactory(code="ANON")
    Unit.objects.create(
        estate=estate,
        building=Building.objects.create(estate=estate, code="1"),
        code="1-1",
        area_m2=1,
    )
    api = APIClient()
    schema_response = api.get("/api/schema/", {"format": "json"})
    if schema_response.status_code != 200:  # the schema itself is for signed-in users
        reader = APIClient()
        reader.force_authenticate(make_staff("reader", "frontdesk", estates=[estate]))
        schema_response = reader.get("/api/schema/", {"format": "json"})
    schema = json.loads(schema_response.content)
    open_doors = []
    for path, operations in schema["paths"].items():
        url = path.replace("{id}", "1")
        for method in operations:
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if (path, method) in PUBLIC_API:
                continue
            status = getattr(api, method)(url, {}, format="json").status_code
            if status != 401:
                open_doors.append(f"API {method.upper()} {path} → {status}")
    for name, route in _patterns():
        if route.startswith(("api/", "admin/", "i18n/")) or name in PUBLIC_PAGES:
            continue
        if name in {"login", "logout", "healthz", "livez"} or name in PUBLIC_LOOKUPS:
            continue
        url = "/" + PARAM.sub(lambda m: "1" if m.group(1) == "int" else "x", route)
        response = client.get(url)
        if response.status_code == 405:  # a form's target: it must refuse the post too
            response = client.post(url)
        if response.status_code != 302 or "/accounts/login/" not in response["Location"]:
            open_doors.append(f"page {name} {url} → {response.status_code}")
    assert not open_doors, "\n".join(open_doors)
