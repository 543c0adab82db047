"""The desk's registers (docs/domain.md, Reception): lost and found, and the incident record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.access import may
from propserv.phones import phone_for
from propserv.roles import RECEPTION
from propserv.web import attempt, current_estate, form_errors_to_messages
from visits import forms as f
from visits.models import Incident, LostItem
from visits.services import registers
from visits.views.common import no_estate, run


@login_required
def lost_found(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    form = f.LostItemForm(request.POST or None, initial={"found_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        ok, item = attempt(
            request,
            registers.lost_item_register,
            estate=estate,
            actor=request.user,
            form=form,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("%(n)s registered.") % {"n": item.number})
            return HttpResponseRedirect(reverse("visits:lost-found") + f"?estate={estate.code}")
    show = request.GET.get("show", "held")
    items = LostItem.objects.for_user(request.user).filter(estate=estate)
    if show == "held":
        items = items.filter(status=LostItem.Status.HELD)
    items = list(items.select_related("recorded_by", "closed_by")[:300])
    for item in items:
        item.phone_shown = phone_for(request.user, item.claimant_phone)
        item.actions = registers.lost_item_allowed_actions(item, request.user)
    return render(
        request,
        "visits/lost_found.html",
        {
            "estate": estate,
            "form": form,
            "can_create": may(request.user, estate, RECEPTION),
            "items": items,
            "return_form": f.LostItemReturnForm(),
            "show": show,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def lost_item_action(request, pk: int, name: str):
    item = get_object_or_404(
        LostItem.objects.for_user(request.user).select_related("estate"), pk=pk
    )
    if name == "return":
        form = f.LostItemReturnForm(request.POST)
        if form.is_valid():
            run(
                request,
                registers.lost_item_return,
                item_id=item.pk,
                actor=request.user,
                ok_message=_("%(n)s returned to its owner.") % {"n": item.number},
                **form.cleaned_data,
            )
        else:
            form_errors_to_messages(request, form)
    elif name == "dispose":
        run(
            request,
            registers.lost_item_dispose,
            item_id=item.pk,
            actor=request.user,
            note=request.POST.get("note", "")[:200],
            ok_message=_("%(n)s closed.") % {"n": item.number},
        )
    else:
        raise Http404
    return HttpResponseRedirect(reverse("visits:lost-found") + f"?estate={item.estate.code}")


@login_required
def incidents(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    form = f.IncidentForm(request.POST or None, initial={"occurred_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        ok, incident = run(
            request,
            registers.incident_record,
            estate=estate,
            actor=request.user,
            form=form,
            ok_message=_("Incident recorded; the managers have been notified."),
            **form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(incident.get_absolute_url())
    return render(
        request,
        "visits/incidents.html",
        {
            "estate": estate,
            "form": form,
            "incidents": Incident.objects.for_user(request.user)
            .filter(estate=estate)
            .select_related("recorded_by")[:200],
        },
        status=400 if form.errors else 200,
    )


@login_required
def incident_detail(request, pk: int):
    incident = get_object_or_404(
        Incident.objects.for_user(request.user).select_related(
            "estate", "recorded_by", "closed_by"
        ),
        pk=pk,
    )
    form = f.IncidentCloseForm(request.POST or None)
    actions = registers.incident_allowed_actions(incident, request.user)
    if request.method == "POST":
        if form.is_valid():
            ok, _result = run(
                request,
                registers.incident_close,
                incident_id=incident.pk,
                actor=request.user,
                form=form,
                ok_message=_("Incident closed."),
                **form.cleaned_data,
            )
            if ok:
                return HttpResponseRedirect(incident.get_absolute_url())
        if "close" not in actions:  # the page will not show the form: say why here
            form_errors_to_messages(request, form)
    return render(
        request,
        "visits/incident_detail.html",
        {"incident": incident, "form": form, "actions": actions},
        status=400 if form.errors else 200,
    )
