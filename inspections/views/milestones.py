"""Key milestones of the hand-over project (关键点评审): set with owner and due date, marked done."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections import services
from inspections.forms.handover import MilestoneForm
from inspections.models import Milestone
from inspections.selectors import handover as sel
from inspections.views.common import done, estate_or_404, page, renovation_view
from propserv.access import may
from propserv.roles import HANDOVER_PLANNERS, HANDOVER_VIEWERS
from propserv.web import attempt


@renovation_view(HANDOVER_VIEWERS)
def milestone_list(request):
    estate = estate_or_404(request)
    form = MilestoneForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, _m = attempt_set(request, form, estate)
        if ok:
            return done(request, f"{request.path}?estate={estate.code}", _("Milestone set."))
    return page(
        request,
        "inspections/handover/milestones.html",
        {
            "estate": estate,
            "form": form,
            "milestones": sel.milestones(request.user, estate),
            "may_plan": may(request.user, estate, HANDOVER_PLANNERS),
        },
        form,
    )


def attempt_set(request, form, estate):
    return attempt(
        request,
        services.milestone_set,
        form=form,
        estate=estate,
        actor=request.user,
        **form.cleaned_data,
    )


@require_POST
@renovation_view(HANDOVER_PLANNERS)
def milestone_done(request, pk):
    milestone = get_object_or_404(sel.visible(Milestone.objects.all(), request.user), pk=pk)
    ok, _m = attempt(request, services.milestone_done, milestone=milestone, actor=request.user)
    url = f"{reverse('inspections:milestones')}?estate={milestone.estate.code}"
    return done(request, url, _("Milestone done.") if ok else "")
