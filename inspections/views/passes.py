"""Worker passes: issue, a pass's page and print (with its QR code), revoke, the gate check on
a phone, and the passes to take back at the gate."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections import selectors, services
from inspections.forms import GateForm, PassForm, RevokeForm
from inspections.printables import pass_document
from inspections.views.common import (
    done,
    estate_or_404,
    page,
    renovation_or_404,
    renovation_view,
)
from inspections.views.renovations import renovation_detail
from propserv.documents import document_response
from propserv.roles import RENOVATION_DESK
from propserv.web import attempt


@require_POST
@renovation_view(RENOVATION_DESK)
def pass_issue(request, pk):
    renovation = renovation_or_404(request, pk)
    form = PassForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        ok, worker_pass = attempt(
            request,
            services.pass_issue,
            form=form,
            renovation=renovation,
            name=d["name"],
            id_last4=d["id_last4"],
            trade=d["trade"],
            valid_until=d["valid_until"],
            photo=d["photo"],
            actor=request.user,
        )
        if ok:
            return done(
                request,
                worker_pass.get_absolute_url(),
                _("Pass %(number)s issued.") % {"number": worker_pass.number},
            )
    return renovation_detail(request, pk, forms={"pass": form})


def _pass(request, pk):
    return get_object_or_404(selectors.visible_passes(request.user), pk=pk)


def gate_url(request, number: str) -> str:
    return request.build_absolute_uri(reverse("inspections:gate") + "?" + urlencode({"n": number}))


@renovation_view()
def pass_detail(request, pk, *, form=None):
    worker_pass = _pass(request, pk)
    return page(
        request,
        "inspections/pass.html",
        {
            "pass": worker_pass,
            "state": services.pass_state(worker_pass, timezone.now()),
            "actions": services.allowed_actions(worker_pass, request.user),
            "revoke_form": form or RevokeForm(),
        },
        form,
    )


@renovation_view()
def pass_print(request, pk):
    worker_pass = _pass(request, pk)
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    document = pass_document(worker_pass, gate_url(request, worker_pass.number))
    return document_response(request, document, fmt=fmt)


@require_POST
@renovation_view(RENOVATION_DESK)
def pass_revoke(request, pk):
    worker_pass = _pass(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        ok, _result = attempt(
            request,
            services.pass_revoke,
            form=form,
            worker_pass=worker_pass,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        if ok:
            return done(request, worker_pass.get_absolute_url(), _("Pass revoked."))
    return pass_detail(request, pk, form=form)


@renovation_view()
def gate(request):
    """The gate check on a phone: scan the QR code (it opens this page) or type the number."""
    form = GateForm(request.GET or None)
    state, worker_pass = None, None
    if form.is_valid() and form.cleaned_data["n"]:
        state, worker_pass = selectors.gate_check(
            request.user, form.cleaned_data["n"], timezone.now()
        )
    return page(
        request, "inspections/gate.html", {"form": form, "state": state, "pass": worker_pass}
    )


@renovation_view()
def take_back(request):
    estate = estate_or_404(request)
    now = timezone.now()
    return page(
        request,
        "inspections/take_back.html",
        {"estate": estate, "rows": selectors.passes_to_take_back(request.user, estate, now)},
    )


@require_POST
@renovation_view()
def pass_confiscate(request, pk):
    worker_pass = _pass(request, pk)
    ok, _result = attempt(
        request, services.pass_confiscate, worker_pass=worker_pass, actor=request.user
    )
    if ok:
        return done(request, reverse("inspections:take-back"), _("Pass taken back."))
    return done(request, reverse("inspections:take-back"))
