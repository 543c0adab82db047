"""Staff screens for repairs: the front-desk board, the detail with its timeline, the
technician's jobs (docs/domain.md, Repairs). Pages offer only what `allowed_actions` says the
service would accept; a refusal comes back through propserv.web.attempt."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.phones import phone_for
from propserv.web import attempt, current_estate, safe_next
from tickets.forms import callbacks as cbf
from tickets.forms import repairs as f
from tickets.models import Repair
from tickets.selectors import repairs as selectors
from tickets.services import repairs as services
from tickets.views.common import form_refusal


@login_required
def board(request):
    """Open repairs, the one with the least time left first; refreshes itself."""
    estate = current_estate(request)
    now = timezone.now()
    rows = selectors.board_rows(request.user, estate, now)
    for row in rows:
        row["actions"] = services.allowed_actions(row["repair"], request.user)
    template = "tickets/_board_rows.html" if request.GET.get("fragment") else "tickets/board.html"
    return render(
        request,
        template,
        {
            "rows": rows,
            "estate": estate,
            "now": now,
            "technicians": selectors.technicians_of(estate) if estate else [],
        },
    )


@login_required
def repair_new(request):
    estate = current_estate(request)
    if estate is None:
        messages.error(request, _("You do not work for any estate yet."))
        return HttpResponseRedirect(reverse("home"))
    form = f.RepairForm(
        request.POST or None, estate=estate, initial={"unit_code": request.GET.get("unit", "")}
    )
    if request.method == "POST" and form.is_valid():
        ok, repair = attempt(
            request,
            services.repair_create,
            form=form,
            estate=estate,
            actor=request.user,
            **form.service_kwargs(),
        )
        if ok:
            messages.success(request, _("Repair %(number)s logged.") % {"number": repair.number})
            return HttpResponseRedirect(reverse("tickets:board"))
    return render(
        request,
        "tickets/repair_form.html",
        {"form": form, "estate": estate},
        status=400 if form.errors else 200,
    )


FORMS = {
    "complete": f.CompleteForm,
    "hold": f.HoldForm,
    "cancel": f.ReasonForm,
    "reopen": f.ReasonForm,
    "callback": cbf.CallbackForm,
}


def _detail(request, repair: Repair, *, bound=None, status: int = 200):
    """The detail page; `bound` is {action: form} of a refused post, shown with what was typed."""
    now = timezone.now()
    repair = get_object_or_404(
        selectors.repairs_for(request.user).prefetch_related(
            "events__actor", "deadlines", "charge_lines"
        ),
        pk=repair.pk,
    )
    deadlines = sorted(repair.deadlines.all(), key=lambda d: (d.started_at, d.pk))
    forms = {
        "complete_form": f.CompleteForm(),
        "hold_form": f.HoldForm(),
        "cancel_form": f.ReasonForm(),
        "reopen_form": f.ReasonForm(),
        "callback_form": cbf.CallbackForm(),
    }
    for action, form in (bound or {}).items():
        forms[f"{action}_form"] = form
    return render(
        request,
        "tickets/repair_detail.html",
        {
            "repair": repair,
            "deadlines": [(d, d.state(now)) for d in deadlines],
            "now": now,
            "phone": phone_for(request.user, repair.reporter_phone),
            "technicians": selectors.technicians_of(repair.estate),
            "actions": services.allowed_actions(repair, request.user),
            **forms,
        },
        status=status,
    )


@login_required
def repair_detail(request, pk: int):
    repair = get_object_or_404(selectors.repairs_for(request.user), pk=pk)
    return _detail(request, repair)


@login_required
def my_jobs(request):
    """The technician's phone view: my open jobs, one tap to say I have arrived."""
    rows = selectors.my_job_rows(request.user, timezone.now())
    for row in rows:
        row["actions"] = services.allowed_actions(row["repair"], request.user)
    return render(
        request, "tickets/my_jobs.html", {"rows": rows, "complete_form": f.CompleteForm()}
    )


SERVICES = {
    "dispatch": services.repair_dispatch,
    "arrive": services.repair_mark_arrived,
    "start": services.repair_start,
    "resume": services.repair_resume,
    "complete": services.repair_complete,
    "hold": services.repair_hold,
    "cancel": services.repair_cancel,
    "reopen": services.repair_reopen,
    "callback": services.repair_record_callback,
}


@login_required
@require_POST
def repair_action(request, pk: int, action: str):
    repair = get_object_or_404(selectors.repairs_for(request.user), pk=pk)
    back = safe_next(request, request.POST.get("next"), repair.get_absolute_url())
    if action not in SERVICES:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(back)
    form = FORMS[action](request.POST) if action in FORMS else None
    kwargs = {}
    if action == "dispatch":
        technician = (
            selectors.technicians_of(repair.estate)
            .filter(pk=request.POST.get("technician") or 0)
            .first()
        )
        if technician is None:
            messages.error(request, _("Choose a technician."))
            return HttpResponseRedirect(back)
        kwargs["technician"] = technician
    if form is not None and not form.is_valid():
        ok = False
        form_refusal(request, form)
    else:
        if form is not None:
            kwargs.update(form.cleaned_data)
        ok, _result = attempt(
            request, SERVICES[action], repair_id=repair.pk, actor=request.user, **kwargs
        )
    if ok:
        messages.success(request, _("%(number)s: done.") % {"number": repair.number})
        return HttpResponseRedirect(back)
    if form is not None and back == repair.get_absolute_url():
        return _detail(request, repair, bound={action: form})  # what was typed stays
    return HttpResponseRedirect(back)
