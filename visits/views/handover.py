"""Shift handover pages (docs/domain.md, Reception): hand the shift's open entries over, and
acknowledge the previous shift's list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import may, staff_of
from propserv.models import Deadline
from propserv.roles import DESK, RECEPTION
from propserv.web import current_estate
from visits import forms as f
from visits import selectors
from visits.models import Handover
from visits.services import handover as handover_services
from visits.views.common import no_estate, run


@login_required
def handovers(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    staff = staff_of(estate, DESK).exclude(pk=request.user.pk)
    form = f.HandoverForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        ok, handover = run(
            request,
            handover_services.handover_create,
            estate=estate,
            actor=request.user,
            members=list(form.cleaned_data["members"]),
            recipients=list(form.cleaned_data["recipients"]),
            note=form.cleaned_data["note"],
            form=form,
            ok_message=_("Handover logged; the next shift must acknowledge it."),
        )
        if ok:
            return HttpResponseRedirect(handover.get_absolute_url())
    return render(
        request,
        "visits/handovers.html",
        {
            "estate": estate,
            "form": form,
            "can_hand_over": may(request.user, estate, RECEPTION),
            "pending_mine": selectors.handover_open_items(estate, [request.user]),
            "handovers": Handover.objects.for_user(request.user)
            .filter(estate=estate)
            .select_related("handed_by", "acknowledged_by")
            .prefetch_related("items", "recipients")[:50],
        },
        status=400 if form.errors else 200,
    )


@login_required
def handover_detail(request, pk: int):
    handover = get_object_or_404(
        Handover.objects.for_user(request.user).select_related(
            "estate", "handed_by", "acknowledged_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        run(
            request,
            handover_services.handover_acknowledge,
            handover_id=handover.pk,
            actor=request.user,
            ok_message=_("Acknowledged: you now own these items."),
        )
        return HttpResponseRedirect(handover.get_absolute_url())
    deadline = Deadline.objects.for_subject(handover).order_by("-started_at").first()
    return render(
        request,
        "visits/handover_detail.html",
        {
            "handover": handover,
            "items": handover.items.select_related(
                "visit", "visit__unit", "visit__owner", "from_owner"
            ),
            "members": handover.members.all(),
            "recipients": handover.recipients.all(),
            "deadline": deadline,
            "state": deadline.state(timezone.now()) if deadline else "",
            "is_member": handover.members.filter(pk=request.user.pk).exists(),
            "actions": handover_services.allowed_actions(handover, request.user),
        },
    )
