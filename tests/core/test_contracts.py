"""The shared contracts: one refusal vocabulary mapped once for the API and once for pages; the
registry the shared pages render from; the system checks that keep it honest."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from propserv.access import check_actor, may, staff_of
from propserv.checks import timeline_actions_have_labels
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import TimelineEvent
from propserv.registry import NavEntry, Registry
from propserv.roles import DESK, MANAGERS, Role, has_role
from propserv.web import attempt
from tests.factories import make_staff


def refuse(exc):
    def service(**kwargs):
        raise exc

    return service


class Boom(APIView):
    exc: Exception | None = None

    def post(self, request):
        raise self.exc


@pytest.mark.django_db
@pytest.mark.parametrize(
    "exc, status, code",
    [
        (InvalidTransition(_("A closed repair cannot be dispatched.")), 409, "invalid_transition"),
        (NotAllowed(_("Only the front desk may do this.")), 403, "not_allowed"),
        (NotAllowed(conceal=True), 404, "not_found"),
        (ValidationError({"unit": ["No such unit."]}), 400, "invalid"),
    ],
)
def test_api_maps_each_refusal_once(staff, exc, status, code):
    request = APIRequestFactory().post("/x", {}, format="json")
    request.user = staff["frontdesk"]
    response = Boom.as_view(exc=exc, authentication_classes=[], permission_classes=[])(request)
    assert response.status_code == status
    assert response.data["error"]["code"] == code
    if status == 409:
        assert response.data["error"]["message"] == "A closed repair cannot be dispatched."
    if status == 400:
        assert response.data["error"]["fields"] == {"unit": ["No such unit."]}


class NoteForm(forms.Form):
    unit = forms.CharField()
    note = forms.CharField()


def _request(user):
    request = RequestFactory().post("/x", {"unit": "3-2-1502", "note": "漏水"})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
def test_web_attempt_puts_the_refusal_on_the_form_and_keeps_the_input(staff):
    request = _request(staff["frontdesk"])
    form = NoteForm(request.POST)
    assert form.is_valid()
    ok, result = attempt(
        request, refuse(InvalidTransition("已完成的报修不能派工。", field="unit")), form=form
    )
    assert (ok, result) == (False, None)
    assert form.errors["unit"] == ["已完成的报修不能派工。"]
    assert form.data["note"] == "漏水"  # what the user typed is still there
    ok, _result = attempt(request, refuse(ValidationError({"nope": ["坏输入"]})), form=form)
    assert not ok and "坏输入" in form.non_field_errors()
    ok, _result = attempt(request, refuse(NotAllowed("无权操作")))  # no form: a message
    assert not ok and [str(m) for m in request._messages] == ["无权操作"]
    with pytest.raises(Http404):
        attempt(request, refuse(NotAllowed(conceal=True)), form=form)
    assert attempt(request, lambda **kw: kw["x"] * 2, x=21) == (True, 42)


@pytest.mark.django_db
def test_check_actor_conceals_strangers_and_names_the_wrong_role(staff, estate, other_estate):
    check_actor(staff["frontdesk"], estate=estate, roles=DESK)
    with pytest.raises(NotAllowed) as wrong_role:
        check_actor(staff["technician"], estate=estate, roles=DESK)
    assert not wrong_role.value.conceal
    stranger = make_staff("elsewhere", "frontdesk", estates=[other_estate])
    with pytest.raises(NotAllowed) as hidden:
        check_actor(stranger, estate=estate, roles=DESK)
    assert hidden.value.conceal
    assert may(staff["gm"], estate, MANAGERS) and not may(stranger, estate, DESK)
    assert has_role(staff["gm"], MANAGERS, Role.FINANCE)
    assert set(staff_of(estate, MANAGERS)) == {
        staff[r] for r in ("supervisor", "project_manager", "quality", "gm")
    }


@pytest.mark.django_db
def test_nav_shows_each_role_only_what_it_may_open(staff):
    registry = Registry()
    registry.add_nav(NavEntry("a", "Repairs", "home", order=1))
    registry.add_nav(NavEntry("b", "Keys", "home", roles=DESK, order=2))
    registry.add_nav(NavEntry("b", "Keys", "home", roles=DESK, order=2))  # ready() twice
    assert [e.key for e in registry.nav_for(staff["frontdesk"])] == ["a", "b"]
    assert [e.key for e in registry.nav_for(staff["technician"])] == ["a"]


@pytest.mark.django_db
def test_every_page_of_the_header_opens_for_whoever_sees_its_link(client, staff):
    for role, user in staff.items():
        client.force_login(user)
        home = client.get("/", follow=True)  # managers land on their dashboard
        assert home.status_code == 200, role
        for entry in home.context["nav_entries"]:
            assert client.get(reverse(entry.url_name)).status_code == 200, (role, entry.key)


def test_system_check_refuses_a_timeline_action_without_a_label():
    class Action(models.TextChoices):
        GOOD = "good", _("Good")
        RAW = "raw"

    class ProbeEvent(TimelineEvent):
        class Meta:
            app_label = "propserv"

    ProbeEvent.Action = Action
    try:
        errors = [e for e in timeline_actions_have_labels() if e.obj is ProbeEvent]
        assert [e.id for e in errors] == ["propserv.E002"]
        assert "'raw'" in errors[0].msg
    finally:
        from django.apps import apps

        del apps.all_models["propserv"]["probeevent"]
        apps.clear_cache()


def test_the_project_passes_its_own_system_checks():
    from django.core import checks

    assert [e for e in checks.run_checks() if e.id.startswith("propserv.")] == []


def test_system_check_refuses_a_declared_deadline_kind_without_a_policy():
    from propserv.checks import deadline_kinds_have_policies
    from propserv.registry import registry

    registry.add_deadline_kinds("probe", ["probe.no_policy"])
    try:
        errors = deadline_kinds_have_policies()
        assert [(e.id, "probe.no_policy" in e.msg) for e in errors] == [("propserv.E001", True)]
    finally:
        registry.deadline_kinds.pop("probe.no_policy")
    assert deadline_kinds_have_policies() == []
