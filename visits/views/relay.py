"""Pages of the information relay (信息传递) and of the department heads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.access import may
from propserv.models import DepartmentHead, Unit
from propserv.roles import DESK_LEADS, RECEPTION
from propserv.web import current_estate, form_errors_to_messages
from visits.forms import relay as f
from visits.models import RelayItem
from visits.selectors import relay as selectors
from visits.services import relay as services
from visits.views.common import no_estate, run


@login_required
def relay_list(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    form = f.RelayReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        code = d.pop("unit_code").strip()
        unit = Unit.objects.filter(estate=estate, code=code).first() if code else None
        if code and unit is None:
            form.add_error("unit_code", _("There is no such unit in this estate."))
        else:
            ok, item = run(
                request,
                services.relay_report,
                estate=estate,
                actor=request.user,
                unit=unit,
                form=form,
                ok_message=_("Logged; passed to the department head when one is set."),
                **d,
            )
            if ok:
                return HttpResponseRedirect(item.get_absolute_url())
    show = request.GET.get("show", "open")
    return render(
        request,
        "visits/relay/list.html",
        {
            "estate": estate,
            "form": form,
            "can_create": may(request.user, estate, RECEPTION),
            "items": list(selectors.relay_items(request.user, estate, show=show)[:300]),
            "show": show,
        },
        status=400 if form.errors else 200,
    )


@login_required
def relay_item(request, pk: int):
    item = get_object_or_404(
        RelayItem.objects.for_user(request.user).select_related(
            "estate", "visit", "visit__unit", "head", "reported_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "visits/relay/detail.html",
        {
            "item": item,
            "actions": services.allowed_actions(item, request.user),
            "events": item.events.select_related("actor"),
            "route_form": f.RouteForm(initial={"department": item.department}),
            "expected_form": f.ExpectedForm(),
            "note_form": f.NoteForm(),
        },
    )


@login_required
@require_POST
def relay_action(request, pk: int, name: str):
    item = get_object_or_404(RelayItem.objects.for_user(request.user), pk=pk)
    forms_by_name = {
        "route": f.RouteForm,
        "expected": f.ExpectedForm,
        "done": f.NoteForm,
        "check": f.NoteForm,
        "fail": f.NoteForm,
        "callback": f.NoteForm,
    }
    if name not in forms_by_name:
        raise Http404
    form = forms_by_name[name](request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return HttpResponseRedirect(item.get_absolute_url())
    d = form.cleaned_data
    calls = {
        "route": (services.relay_route, {"department": d.get("department")}, _("Passed on.")),
        "expected": (
            services.relay_set_expected,
            {"expected_on": d.get("expected_on"), "resident_told": d.get("resident_told")},
            _("Expected completion recorded."),
        ),
        "done": (services.relay_mark_done, {"note": d.get("note", "")}, _("Reported done.")),
        "check": (
            services.relay_check,
            {"passed": True, "note": d.get("note", "")},
            _("Checked; call the reporter back."),
        ),
        "fail": (
            services.relay_check,
            {"passed": False, "note": d.get("note", "")},
            _("Sent back to the department head."),
        ),
        "callback": (
            services.relay_callback,
            {"note": d.get("note", "")},
            _("Callback recorded; the entry is closed."),
        ),
    }
    call, kwargs, ok_message = calls[name]
    run(request, call, item_id=item.pk, actor=request.user, ok_message=ok_message, **kwargs)
    return HttpResponseRedirect(item.get_absolute_url())


@login_required
def department_heads(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    form = f.DepartmentHeadForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, _row = run(
            request,
            services.department_head_set,
            estate=estate,
            actor=request.user,
            form=form,
            ok_message=_("Department head saved."),
            **form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(
                reverse("visits:department-heads") + f"?estate={estate.code}"
            )
    elif request.method == "POST":
        messages.error(request, _("Choose a department and a colleague."))
    return render(
        request,
        "visits/relay/heads.html",
        {
            "estate": estate,
            "form": form,
            "can_edit": may(request.user, estate, DESK_LEADS),
            "heads": DepartmentHead.objects.filter(estate=estate).select_related("head"),
        },
        status=400 if form.errors else 200,
    )
