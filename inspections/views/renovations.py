"""Renovations: the list, a new application, a renovation's record, approval or rejection, the
printable permit."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections import selectors, services
from inspections.forms import (
    ApplicationForm,
    ApproveForm,
    ComplaintLinkForm,
    NoticeForm,
    PassForm,
    RejectForm,
)
from inspections.models import Renovation, RenovationDocument
from inspections.printables import permit_document
from inspections.views.common import (
    done,
    estate_or_404,
    page,
    renovation_or_404,
    renovation_view,
)
from propserv.documents import document_response
from propserv.phones import phone_for
from propserv.roles import RENOVATION_APPROVERS, RENOVATION_DESK
from propserv.web import attempt


@renovation_view()
def renovation_list(request):
    estate = estate_or_404(request)
    status = request.GET.get("status", "")
    if status not in Renovation.Status.values:
        status = ""
    return page(
        request,
        "inspections/renovations.html",
        {
            "estate": estate,
            "renovations": selectors.renovation_list(request.user, estate, status=status)[:200],
            "statuses": Renovation.Status.choices,
            "status": status,
        },
    )


@renovation_view(RENOVATION_DESK)
def renovation_new(request):
    estate = estate_or_404(request)
    form = ApplicationForm(request.POST or None, request.FILES or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, renovation = attempt(
            request,
            services.renovation_apply,
            form=form,
            unit=d["unit"],
            owner=d["owner"],
            contractor=d["contractor"],
            responsible=d["responsible"],
            scope=d["scope"],
            scope_other=d["scope_other"],
            planned_start=d["planned_start"],
            planned_end=d["planned_end"],
            deposit=d["deposit"],
            documents=form.documents(),
            actor=request.user,
        )
        if ok:
            return done(request, renovation.get_absolute_url(), _("Application recorded."))
    return page(request, "inspections/renovation_new.html", {"form": form, "estate": estate}, form)


@renovation_view()
def renovation_detail(request, pk, *, forms=None):
    renovation = renovation_or_404(request, pk)
    forms = forms or {}
    context = {
        "renovation": renovation,
        "actions": services.allowed_actions(renovation, request.user),
        "phone": phone_for(request.user, renovation.responsible.phone),
        "documents": renovation.documents.all(),
        "passes": renovation.passes.order_by("number"),
        "events": renovation.events.select_related("actor"),
        "approve_form": forms.get("approve") or ApproveForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "pass_form": forms.get("pass") or PassForm(initial={"valid_until": renovation.planned_end}),
        "notice_form": forms.get("notice") or NoticeForm(),
        "complaint_form": forms.get("complaint") or ComplaintLinkForm(),
        "complaint_links": renovation.complaint_links.select_related("complaint"),
        "notices": renovation.rectifications.all(),
        "patrols": renovation.patrols.filter(done_at__isnull=False)
        .select_related("done_by")
        .order_by("-done_at")[:20],
        "acceptances": renovation.acceptances.select_related("by"),
    }
    return page(request, "inspections/renovation.html", context, *forms.values())


@require_POST
@renovation_view(RENOVATION_APPROVERS)
def renovation_approve(request, pk):
    renovation = renovation_or_404(request, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        ok, _result = attempt(
            request,
            services.renovation_approve,
            form=form,
            renovation=renovation,
            conditions=form.cleaned_data["conditions"],
            actor=request.user,
        )
        if ok:
            return done(
                request, renovation.get_absolute_url(), _("Approved; the permit is issued.")
            )
    return renovation_detail(request, pk, forms={"approve": form})


@require_POST
@renovation_view(RENOVATION_APPROVERS)
def renovation_reject(request, pk):
    renovation = renovation_or_404(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        ok, _result = attempt(
            request,
            services.renovation_reject,
            form=form,
            renovation=renovation,
            reasons=form.cleaned_data["reasons"],
            actor=request.user,
        )
        if ok:
            return done(request, renovation.get_absolute_url(), _("Application rejected."))
    return renovation_detail(request, pk, forms={"reject": form})


@renovation_view()
def permit(request, pk):
    """The permit's print view; `?format=pdf`: the same as a PDF."""
    renovation = renovation_or_404(request, pk)
    if not renovation.has_permit:
        return done(request, renovation.get_absolute_url(), _("No permit has been issued."))
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    return document_response(request, permit_document(renovation), fmt=fmt)


@renovation_view()
def document(request, pk):
    """A drawing or document of an application, for those who follow the estate's renovations
    (uploads are never served from a public media URL)."""
    doc = get_object_or_404(
        RenovationDocument.objects.filter(
            renovation__in=selectors.visible_renovations(request.user)
        ),
        pk=pk,
    )
    return FileResponse(doc.file.open("rb"), content_type=doc.content_type, filename=doc.name)
