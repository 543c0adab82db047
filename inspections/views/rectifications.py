"""Rectification notices (issue, page, re-inspection, print) and completion (acceptance request
and the acceptance inspection)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections import selectors, services
from inspections.forms import AcceptanceForm, ComplaintLinkForm, NoticeForm, ReinspectForm
from inspections.models import Rectification
from inspections.printables import notice_document
from inspections.views.common import done, page, renovation_or_404, renovation_view
from inspections.views.renovations import renovation_detail
from propserv.documents import document_response
from propserv.roles import (
    COMPLAINT_HANDLERS,
    PATROLLERS,
    RENOVATION_DESK,
)
from propserv.web import attempt
from tickets.models import Complaint


@require_POST
@renovation_view(PATROLLERS)
def notice_issue(request, pk):
    renovation = renovation_or_404(request, pk)
    form = NoticeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        ok, notice = attempt(
            request,
            services.notice_issue,
            form=form,
            renovation=renovation,
            items=d["items"],
            description=d["description"],
            serious=d["serious"],
            due_at=d["due_at"],
            actor=request.user,
        )
        if ok:
            return done(
                request, notice.get_absolute_url(), _("Notice %(n)s issued.") % {"n": notice.number}
            )
    return renovation_detail(request, pk, forms={"notice": form})


def _notice(request, pk) -> Rectification:
    qs = selectors.visible(Rectification.objects.all(), request.user)
    return get_object_or_404(
        qs.select_related("renovation", "renovation__unit", "renovation__estate"), pk=pk
    )


@renovation_view()
def notice_detail(request, pk, *, form=None):
    notice = _notice(request, pk)
    return page(
        request,
        "inspections/notice.html",
        {
            "notice": notice,
            "checks": notice.reinspections.select_related("by"),
            "actions": services.allowed_actions(notice, request.user),
            "form": form or ReinspectForm(),
        },
        form,
    )


@require_POST
@renovation_view(PATROLLERS)
def notice_reinspect(request, pk):
    notice = _notice(request, pk)
    form = ReinspectForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        ok, _result = attempt(
            request,
            services.notice_reinspect,
            form=form,
            rectification=notice,
            passed=d["passed"],
            notes=d["notes"],
            next_due_at=d["next_due_at"],
            actor=request.user,
        )
        if ok:
            return done(request, notice.get_absolute_url(), _("Re-inspection recorded."))
    return notice_detail(request, pk, form=form)


@renovation_view()
def notice_print(request, pk):
    notice = _notice(request, pk)
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    return document_response(request, notice_document(notice), fmt=fmt)


@require_POST
@renovation_view(RENOVATION_DESK)
def acceptance_request(request, pk):
    renovation = renovation_or_404(request, pk)
    ok, _result = attempt(
        request, services.acceptance_request, renovation=renovation, actor=request.user
    )
    return done(request, renovation.get_absolute_url(), _("Acceptance requested.") if ok else "")


@renovation_view(PATROLLERS)
def acceptance(request, pk):
    renovation = renovation_or_404(request, pk)
    form = AcceptanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ok, _result = attempt(
            request,
            services.acceptance_record,
            form=form,
            renovation=renovation,
            items=form.items(),
            deductions=form.cleaned_data["deductions"],
            notes=form.cleaned_data["notes"],
            actor=request.user,
        )
        if ok:
            return done(
                request, renovation.get_absolute_url(), _("Acceptance inspection recorded.")
            )
    return page(
        request, "inspections/acceptance.html", {"renovation": renovation, "form": form}, form
    )


@require_POST
@renovation_view(COMPLAINT_HANDLERS)
def complaint_link(request, pk):
    renovation = renovation_or_404(request, pk)
    form = ComplaintLinkForm(request.POST)
    if form.is_valid():
        complaint = Complaint.objects.filter(
            estate=renovation.estate_id, pk=form.cleaned_data["complaint"]
        ).first()
        if complaint is None:
            form.add_error("complaint", _("No such complaint in this estate."))
        else:
            ok, _result = attempt(
                request,
                services.complaint_link,
                form=form,
                renovation=renovation,
                complaint=complaint,
                actor=request.user,
            )
            if ok:
                return done(request, renovation.get_absolute_url(), _("Complaint linked."))
    return renovation_detail(request, pk, forms={"complaint": form})
