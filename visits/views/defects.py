"""Defect rework forms (物业返修联系单, docs/domain.md, Reception): the list with a new form, one
form with the steps of its rework loop, and its printable page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from propserv.web import attempt, current_estate
from visits import forms as f
from visits import selectors
from visits.models import Defect
from visits.services import defects as defect_services
from visits.views.common import no_estate, run


@login_required
def defects(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    form = f.DefectForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, defect = attempt(
            request,
            defect_services.defect_create,
            estate=estate,
            actor=request.user,
            unit=form.cleaned_data["unit_code"],
            location=form.cleaned_data["location"],
            description=form.cleaned_data["description"],
            developer_team=form.cleaned_data["developer_team"],
            form=form,
        )
        if ok:
            messages.success(request, _("Defect rework form %(n)s created.") % {"n": defect.number})
            return HttpResponseRedirect(defect.get_absolute_url())
    show = request.GET.get("show", "open")
    qs = Defect.objects.for_user(request.user).filter(estate=estate).select_related("unit")
    if show == "open":
        qs = qs.exclude(status=Defect.Status.ACCEPTED)
    return render(
        request,
        "visits/defects.html",
        {"estate": estate, "form": form, "defects": qs[:200], "show": show},
        status=400 if form.errors else 200,
    )


# The page's steps and the service call of each.
STEPS = {
    "send": lambda d, u, note: defect_services.defect_send(defect_id=d, actor=u, note=note),
    "fixed": lambda d, u, note: defect_services.defect_report_fixed(
        defect_id=d, actor=u, note=note
    ),
    "inspection-pass": lambda d, u, note: defect_services.defect_inspect(
        defect_id=d, actor=u, passed=True, note=note
    ),
    "inspection-fail": lambda d, u, note: defect_services.defect_inspect(
        defect_id=d, actor=u, passed=False, note=note
    ),
    "owner-accept": lambda d, u, note: defect_services.defect_owner_review(
        defect_id=d, actor=u, accepted=True, note=note
    ),
    "owner-refuse": lambda d, u, note: defect_services.defect_owner_review(
        defect_id=d, actor=u, accepted=False, note=note
    ),
}


@login_required
def defect_detail(request, pk: int):
    defect = get_object_or_404(
        Defect.objects.for_user(request.user).select_related(
            "estate", "unit", "visit", "created_by"
        ),
        pk=pk,
    )
    step_form = f.DefectStepForm(request.POST or None)
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step in STEPS and step_form.is_valid():
            ok, _result = run(
                request,
                STEPS[step],
                defect.pk,
                request.user,
                step_form.cleaned_data["note"],
                form=step_form,
                ok_message=_("%(n)s updated.") % {"n": defect.number},
            )
            if ok:
                return HttpResponseRedirect(defect.get_absolute_url())
        else:
            step_form.add_error(None, _("Unknown action."))
        status = 400
    return render(
        request,
        "visits/defect_detail.html",
        {
            "defect": defect,
            "events": defect.events.select_related("actor"),
            "deadlines": selectors.deadlines_of(defect),
            "step_form": step_form,
            "actions": defect_services.allowed_actions(defect, request.user),
        },
        status=status,
    )


@login_required
def defect_print(request, pk: int):
    defect = get_object_or_404(
        Defect.objects.for_user(request.user).select_related("estate", "unit", "created_by"), pk=pk
    )
    return render(request, "visits/defect_print.html", {"defect": defect})
