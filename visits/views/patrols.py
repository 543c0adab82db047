"""Pages of the common-area patrols (公共区域巡查): the round on a phone, the recent rounds, the
estate's checklist of places."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.access import may
from propserv.models import Department
from propserv.roles import DESK_LEADS
from propserv.web import current_estate
from tickets.models import RepairCategory
from visits.forms import relay as f
from visits.models import CommonPatrol, PatrolPlace
from visits.selectors import relay as selectors
from visits.services import patrols as services
from visits.views.common import no_estate, run


def _checks(request, estate, places) -> list[services.Check]:
    categories = {str(c.pk): c for c in RepairCategory.objects.filter(estate=estate)}
    return [
        services.Check(
            place=place,
            result=request.POST.get(f"r{place.pk}", ""),
            problem=request.POST.get(f"p{place.pk}", "")[:500],
            category=categories.get(request.POST.get(f"c{place.pk}", "")),
            department=request.POST.get(f"d{place.pk}", ""),
        )
        for place in places
    ]


@login_required
def patrols(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    places = services.places(estate)
    now = timezone.localtime()
    if request.method == "POST":
        ok, patrol = run(
            request,
            services.common_patrol_record,
            estate=estate,
            actor=request.user,
            slot=request.POST.get("slot", ""),
            checks=_checks(request, estate, places),
            notes=request.POST.get("notes", "")[:500],
            ok_message=_("Round recorded."),
        )
        if ok:
            return HttpResponseRedirect(patrol.get_absolute_url())
    rounds = selectors.rounds(estate)
    for r in rounds:
        r.state_now = r.state(now)
    return render(
        request,
        "visits/patrols/index.html",
        {
            "estate": estate,
            "places": places,
            "can_record": may(request.user, estate, services.COMMON_PATROLLERS),
            "can_edit": may(request.user, estate, DESK_LEADS),
            "slots": CommonPatrol.Slot.choices,
            "default_slot": (
                "am" if now.time() < estate.service_settings.common_patrol_morning_by else "pm"
            ),
            "results": CommonPatrol.Result.choices,
            "categories": RepairCategory.objects.filter(estate=estate).order_by("name"),
            "departments": Department.choices,
            "rounds": rounds,
            "posted": request.POST,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def patrol_detail(request, pk: int):
    patrol = get_object_or_404(
        CommonPatrol.objects.for_user(request.user).select_related("estate", "done_by"), pk=pk
    )
    return render(
        request,
        "visits/patrols/detail.html",
        {
            "patrol": patrol,
            "problems": patrol.problems.select_related("place", "repair", "relay"),
            "state": patrol.state(timezone.now()),
        },
    )


@login_required
def patrol_places(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    form = f.PatrolPlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _place = run(
            request,
            services.patrol_place_add,
            estate=estate,
            actor=request.user,
            form=form,
            ok_message=_("Place added to the checklist."),
            **form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(reverse("visits:patrol-places") + f"?estate={estate.code}")
    return render(
        request,
        "visits/patrols/places.html",
        {
            "estate": estate,
            "form": form,
            "can_edit": may(request.user, estate, DESK_LEADS),
            "places": PatrolPlace.objects.filter(estate=estate, active=True),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def patrol_place_retire(request, pk: int):
    place = get_object_or_404(PatrolPlace.objects.for_user(request.user), pk=pk)
    run(
        request,
        services.patrol_place_retire,
        place_id=place.pk,
        actor=request.user,
        ok_message=_("Place taken off the checklist."),
    )
    return HttpResponseRedirect(reverse("visits:patrol-places") + f"?estate={place.estate.code}")
