"""Goods release slips: issue, the slip's page (the gate scans its QR code onto it), let
through, print."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections import selectors, services
from inspections.forms import ReleaseForm
from inspections.models import GoodsRelease
from inspections.printables import release_document
from inspections.views.common import done, estate_or_404, page, renovation_view
from propserv.documents import document_response
from propserv.roles import RENOVATION_DESK
from propserv.web import attempt


def _release(request, pk) -> GoodsRelease:
    qs = selectors.visible(GoodsRelease.objects.all(), request.user)
    return get_object_or_404(qs.select_related("unit", "estate", "issued_by"), pk=pk)


@renovation_view(RENOVATION_DESK)
def release_new(request):
    estate = estate_or_404(request)
    form = ReleaseForm(
        request.POST or None,
        estate=estate,
        initial={"valid_on": timezone.localdate(), "quantity": 1},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, release = attempt(request, services.release_issue, form=form, actor=request.user, **d)
        if ok:
            return done(
                request, release.get_absolute_url(), _("Slip %(n)s issued.") % {"n": release.number}
            )
    recent = GoodsRelease.objects.filter(estate=estate).select_related("unit")[:30]
    return page(
        request,
        "inspections/releases.html",
        {"form": form, "estate": estate, "recent": recent},
        form,
    )


@renovation_view()
def release_detail(request, pk):
    release = _release(request, pk)
    return page(
        request,
        "inspections/release.html",
        {
            "release": release,
            "state": services.release_state(release, timezone.now()),
            "actions": services.allowed_actions(release, request.user),
        },
    )


@require_POST
@renovation_view()
def release_use(request, pk):
    release = _release(request, pk)
    ok, _result = attempt(request, services.release_use, release=release, actor=request.user)
    return done(request, release.get_absolute_url(), _("Goods let through.") if ok else "")


@renovation_view()
def release_print(request, pk):
    release = _release(request, pk)
    url = request.build_absolute_uri(reverse("inspections:release", args=[release.pk]))
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    return document_response(request, release_document(release, url), fmt=fmt)
