"""Pages of the title certificates (产权服务): who is waiting and since when (print, XLSX), the
list from fees or from a file, each certificate's stages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propserv.access import may
from propserv.documents import Document, Grid, document_response
from propserv.exports import Column, export_response
from propserv.roles import DESK
from propserv.web import current_estate, form_errors_to_messages
from visits.forms import relay as f
from visits.models import TitleCertificate
from visits.selectors import titles as selectors
from visits.services import titles as services
from visits.views.common import no_estate, run

COLUMNS = [
    Column(lambda c: c.unit.code, gettext_lazy("Unit")),
    Column(lambda c: c.owner.name, gettext_lazy("Owner")),
    Column(lambda c: c.get_stage_display(), gettext_lazy("Stage"), width=22),
    Column("listed_on", gettext_lazy("Waiting since")),
    Column("days_waiting", gettext_lazy("Days waiting")),
    Column("collected_on", gettext_lazy("Documents collected on")),
    Column("submitted_on", gettext_lazy("Submitted on")),
    Column("issued_on", gettext_lazy("Issued on")),
]


@login_required
def titles(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    base = f"{reverse('visits:titles')}?estate={estate.code}"
    if request.method == "POST":
        if request.POST.get("from") == "fees":
            ok, n = run(
                request,
                services.titles_list_paid_in_full,
                estate=estate,
                actor=request.user,
                ok_message=_("The list of owners paid in full has been read."),
            )
        else:
            form = f.TitleImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                run(
                    request,
                    services.titles_import,
                    estate=estate,
                    actor=request.user,
                    file=upload,
                    filename=upload.name,
                    ok_message=_("The list has been imported."),
                )
            else:
                form_errors_to_messages(request, form)
        return HttpResponseRedirect(base)
    rows = selectors.waiting(estate)
    fmt = request.GET.get("format", "")
    title = _("Title certificates: who is waiting")
    if fmt in ("xlsx", "csv"):
        return export_response(COLUMNS, rows, fmt=fmt, filename="title-certificates", title=title)
    if fmt == "print":
        doc = Document(
            title=title,
            filename="title-certificates",
            subtitle=f"{estate.name} · {timezone.localdate():%Y-%m-%d}",
            blocks=[
                Grid(
                    headings=[str(c.heading) for c in COLUMNS[:5]],
                    rows=[
                        [
                            r.unit.code,
                            r.owner.name,
                            r.get_stage_display(),
                            r.listed_on,
                            r.days_waiting,
                        ]
                        for r in rows
                    ],
                )
            ],
        )
        return document_response(request, doc)
    return render(
        request,
        "visits/titles/list.html",
        {
            "estate": estate,
            "rows": rows,
            "can_edit": may(request.user, estate, DESK),
            "import_form": f.TitleImportForm(),
        },
    )


@login_required
def title_detail(request, pk: int):
    cert = get_object_or_404(
        TitleCertificate.objects.for_user(request.user).select_related("estate", "unit", "owner"),
        pk=pk,
    )
    return render(
        request,
        "visits/titles/detail.html",
        {
            "cert": cert,
            "actions": services.allowed_actions(cert, request.user),
            "events": cert.events.select_related("actor"),
            "form": f.TitleAdvanceForm(
                initial={"stage": cert.next_stage, "on": timezone.localdate()}
            ),
        },
    )


@login_required
@require_POST
def title_action(request, pk: int, name: str):
    cert = get_object_or_404(TitleCertificate.objects.for_user(request.user), pk=pk)
    if name == "advance":
        form = f.TitleAdvanceForm(request.POST)
        if form.is_valid():
            run(
                request,
                services.title_advance,
                certificate_id=cert.pk,
                actor=request.user,
                ok_message=_("Stage recorded."),
                **form.cleaned_data,
            )
        else:
            form_errors_to_messages(request, form)
    elif name == "notified":
        run(
            request,
            services.title_owner_notified,
            certificate_id=cert.pk,
            actor=request.user,
            ok_message=_("Recorded: the owner has been told."),
        )
    else:
        raise Http404
    return HttpResponseRedirect(cert.get_absolute_url())
