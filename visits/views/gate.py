"""Pages of the gate and the lobby: today's visitors (register once the host agreed, sign out;
XLSX), the tenant directory of a commercial estate (the lobby's search: an unknown company is
shown as not found) and the documents and parcels left for residents."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propserv.access import may
from propserv.exports import Column, export_response
from propserv.roles import MANAGERS, OFFICE, RECEPTION
from propserv.web import current_estate, form_errors_to_messages
from visits.forms import gate as f
from visits.models import GateVisitor, OfficeTenant, Parcel
from visits.selectors import rentals as selectors
from visits.services import gate as services
from visits.views.common import no_estate, run

VISITOR_COLUMNS = [
    Column("number", gettext_lazy("Number")),
    Column("name", gettext_lazy("Visitor")),
    Column("people", gettext_lazy("Number of people")),
    Column(lambda v: v.destination, gettext_lazy("To"), width=24),
    Column("host_name", gettext_lazy("Host")),
    Column("purpose", gettext_lazy("Purpose"), width=24),
    Column("arrived_at", gettext_lazy("In"), width=18),
    Column("left_at", gettext_lazy("Out"), width=18),
]
PARCEL_COLUMNS = [
    Column("number", gettext_lazy("Number")),
    Column(lambda p: p.get_kind_display(), gettext_lazy("Kind")),
    Column("description", gettext_lazy("What was left"), width=24),
    Column("for_name", gettext_lazy("For")),
    Column(lambda p: p.unit.code if p.unit_id else "", gettext_lazy("Unit")),
    Column("left_by", gettext_lazy("Left by")),
    Column("logged_at", gettext_lazy("Logged at"), width=18),
    Column(lambda p: p.get_status_display(), gettext_lazy("Status")),
    Column("forwarded_to", gettext_lazy("Forwarded to")),
    Column("collected_by_name", gettext_lazy("Collected by")),
]


def _viewer(request, estate_id) -> None:
    if not may(request.user, estate_id, services.GATE | MANAGERS):
        raise PermissionDenied


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def visitors(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    _viewer(request, estate)
    form = f.VisitorForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, visitor = run(
            request,
            services.visitor_register,
            estate=estate,
            actor=request.user,
            form=form,
            ok_message=_("Visitor registered and admitted."),
            **form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(f"{reverse('visits:gate')}?estate={estate.code}")
    day = _day(request)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = list(
        GateVisitor.objects.filter(
            estate=estate, arrived_at__gte=start, arrived_at__lt=start + dt.timedelta(days=1)
        ).select_related("unit", "company")
    )
    if request.GET.get("format") in ("xlsx", "csv"):
        return export_response(
            VISITOR_COLUMNS,
            rows,
            fmt=request.GET["format"],
            filename=f"visitors-{day:%Y%m%d}",
            title=_("Visitor register"),
        )
    for row in rows:
        row.actions = services.visitor_allowed_actions(row, request.user)
    return render(
        request,
        "visits/gate/visitors.html",
        {
            "estate": estate,
            "form": form,
            "gate_only": not may(request.user, estate, OFFICE),
            "rows": rows,
            "day": day,
            "can_create": may(request.user, estate, services.GATE),
            "has_directory": services.has_directory(estate),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def visitor_leave(request, pk: int):
    visitor = get_object_or_404(GateVisitor.objects.for_user(request.user), pk=pk)
    run(
        request,
        services.visitor_leave,
        visitor_id=visitor.pk,
        actor=request.user,
        ok_message=_("Visitor signed out."),
    )
    return HttpResponseRedirect(f"{reverse('visits:gate')}?estate={visitor.estate.code}")


@login_required
def directory(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    _viewer(request, estate)
    form = f.DirectoryForm(request.POST or None, estate=estate)
    if request.method == "POST":
        if request.POST.get("remove"):
            firm = get_object_or_404(
                OfficeTenant.objects.for_user(request.user), pk=request.POST["remove"]
            )
            run(
                request,
                services.directory_remove,
                tenant_id=firm.pk,
                actor=request.user,
                ok_message=_("Company removed from the directory."),
            )
            return HttpResponseRedirect(f"{reverse('visits:directory')}?estate={estate.code}")
        if form.is_valid():
            ok, _firm = run(
                request,
                services.directory_add,
                estate=estate,
                actor=request.user,
                form=form,
                ok_message=_("Company added to the directory."),
                **form.cleaned_data,
            )
            if ok:
                return HttpResponseRedirect(f"{reverse('visits:directory')}?estate={estate.code}")
    query = request.GET.get("q", "").strip()[:100]
    found = selectors.directory_find(estate, query) if query else None
    return render(
        request,
        "visits/gate/directory.html",
        {
            "estate": estate,
            "form": form,
            "gate_only": not may(request.user, estate, OFFICE),
            "query": query,
            "found": found,
            "rows": OfficeTenant.objects.filter(estate=estate, active=True).select_related("unit"),
            "has_directory": services.has_directory(estate),
            "can_edit": may(request.user, estate, RECEPTION),
        },
        status=400 if form.errors else 200,
    )


@login_required
def parcels(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    _viewer(request, estate)
    form = f.ParcelForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, _parcel = run(
            request,
            services.parcel_log,
            estate=estate,
            actor=request.user,
            form=form,
            ok_message=_("Logged."),
            **form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(f"{reverse('visits:parcels')}?estate={estate.code}")
    show_all = request.GET.get("show") == "all"
    rows = Parcel.objects.filter(estate=estate).select_related("unit", "company")
    if not show_all:
        rows = rows.exclude(status=Parcel.Status.COLLECTED)
    rows = list(rows[:300])
    if request.GET.get("format") in ("xlsx", "csv"):
        return export_response(
            PARCEL_COLUMNS,
            rows,
            fmt=request.GET["format"],
            filename="parcels",
            title=_("Documents and parcels"),
        )
    for row in rows:
        row.actions = services.parcel_allowed_actions(row, request.user)
    return render(
        request,
        "visits/gate/parcels.html",
        {
            "estate": estate,
            "form": form,
            "gate_only": not may(request.user, estate, OFFICE),
            "rows": rows,
            "show_all": show_all,
            "can_create": may(request.user, estate, services.GATE),
            "forward_form": f.ForwardForm(),
            "collect_form": f.CollectForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def parcel_action(request, pk: int, name: str):
    parcel = get_object_or_404(Parcel.objects.for_user(request.user), pk=pk)
    if name == "forward":
        form, call, message = f.ForwardForm(request.POST), services.parcel_forward, _("Forwarded.")
    elif name == "collect":
        form, call, message = f.CollectForm(request.POST), services.parcel_collect, _("Collected.")
    else:
        raise Http404
    if form.is_valid():
        run(
            request,
            call,
            parcel_id=parcel.pk,
            actor=request.user,
            ok_message=message,
            **form.cleaned_data,
        )
    else:
        form_errors_to_messages(request, form)
    return HttpResponseRedirect(f"{reverse('visits:parcels')}?estate={parcel.estate.code}")
