"""Patrols: the supervisor's board of today's patrols and the patrol guard's phone checklist."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import rules, selectors, services
from inspections.forms import PatrolViolationForm
from inspections.printables import patrol_record_document
from inspections.views.common import (
    done,
    estate_or_404,
    page,
    renovation_or_404,
    renovation_view,
)
from propserv.access import may
from propserv.documents import document_response
from propserv.roles import PATROLLERS
from propserv.web import attempt


@renovation_view()
def board(request):
    estate = estate_or_404(request)
    now = timezone.now()
    return page(
        request,
        "inspections/board.html",
        {
            "estate": estate,
            "now": now,
            "rows": selectors.patrol_board(request.user, estate, now),
            "past_due": selectors.notices_past_due(request.user, estate, now),
            "can_patrol": may(request.user, estate, PATROLLERS),
        },
    )


@renovation_view(PATROLLERS)
def patrol(request, pk):
    renovation = renovation_or_404(request, pk)
    form = PatrolViolationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ok, recorded = attempt(
            request,
            services.patrol_record,
            form=form,
            renovation=renovation,
            items=form.items(),
            notes=form.cleaned_data["notes"],
            photos=form.photos(),
            serious=form.cleaned_data["serious"],
            due_at=form.cleaned_data["due_at"],
            actor=request.user,
        )
        if ok:
            return done(
                request,
                reverse("inspections:board") + f"?estate={renovation.estate.code}",
                _("%(slot)s patrol of %(unit)s recorded.")
                % {"slot": recorded.get_slot_display(), "unit": renovation.unit.code},
            )
    windows = rules.working_hours_for(renovation.unit.use, renovation.estate.service_settings)
    context = {
        "renovation": renovation,
        "form": form,
        "working_now": rules.within_working_hours(timezone.localtime(), windows),
        "windows": windows,
    }
    return page(request, "inspections/patrol.html", context, form)


@renovation_view()
def patrol_print(request, pk):
    """The patrol record (装修过程巡查表) of a renovation, printable."""
    renovation = renovation_or_404(request, pk)
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    return document_response(request, patrol_record_document(renovation), fmt=fmt)
