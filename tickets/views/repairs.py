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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propserv.web import attempt, current_estate, safe_next
from tickets.forms import callbacks as cbf
from tickets.forms import repairs as f
from tickets.models import PriceItem, Repair
from tickets.selectors import repairs as selectors
from tickets.services import repairs as services
from tickets.views.common import attempt_on_page


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
    "quote": f.QuoteForm,
    "consent": f.ConsentForm,
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
            "events__actor", "deadlines", "charge_lines__price_item"
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
        "quote_form": f.QuoteForm(estate=repair.estate),
        "consent_form": f.ConsentForm(),
        "photo_form": f.PhotoForm(),
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
            "phone": selectors.phone_of(repair, request.user),
            "call": selectors.may_call(repair, request.user),
            "photos": selectors.photos_of(repair),
            "charge_lines": [ln for ln in repair.charge_lines.all() if ln.superseded_at is None],
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
    price_lists = {}  # one query per estate, not one per job
    for row in rows:
        row["actions"] = services.allowed_actions(row["repair"], request.user)
        # Back to the same job after a tap (issue 12, item 7): the list keeps its place.
        row["next"] = f"{reverse('tickets:my-jobs')}#job-{row['repair'].pk}"
        if "quote" in row["actions"]:
            estate = row["repair"].estate
            if estate.pk not in price_lists:
                price_lists[estate.pk] = list(PriceItem.objects.filter(estate=estate, active=True))
            row["quote_form"] = f.QuoteForm(estate=estate, items=price_lists[estate.pk])
    return render(
        request,
        "tickets/my_jobs.html",
        {
            "rows": rows,
            "now": timezone.now(),
            "complete_form": f.CompleteForm(),
            "consent_form": f.ConsentForm(),
        },
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
    "quote": services.repair_quote,
    "consent": services.repair_record_consent,
}

# What each action says when it is done: one message per action (issue 12, item 4).
DONE = {
    "dispatch": gettext_lazy("%(number)s dispatched to %(name)s."),
    "arrive": gettext_lazy("%(number)s: arrival on site recorded."),
    "start": gettext_lazy("%(number)s: work started."),
    "resume": gettext_lazy("%(number)s: resumed."),
    "complete": gettext_lazy("%(number)s: completed; the callback is due next."),
    "hold": gettext_lazy("%(number)s: put on hold."),
    "cancel": gettext_lazy("%(number)s: cancelled."),
    "reopen": gettext_lazy("%(number)s: reopened."),
    "callback": gettext_lazy("%(number)s: callback recorded."),
    "quote": gettext_lazy("%(number)s: quote recorded; ask the resident to agree."),
    "consent": gettext_lazy("%(number)s: the resident agreed to the price."),
}


@login_required
@require_POST
def repair_action(request, pk: int, action: str):
    repair = get_object_or_404(selectors.repairs_for(request.user), pk=pk)
    back = safe_next(request, request.POST.get("next"), repair.get_absolute_url())
    if action not in SERVICES:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(back)
    form = _bound_form(action, request.POST, repair)
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
    else:
        if form is not None:
            kwargs.update(
                form.service_kwargs() if hasattr(form, "service_kwargs") else form.cleaned_data
            )
        ok, _result = attempt_on_page(
            request, SERVICES[action], repair_id=repair.pk, actor=request.user, form=form, **kwargs
        )
    if ok:
        name = (
            kwargs["technician"].get_full_name() or kwargs["technician"].username
            if action == "dispatch"
            else ""
        )
        messages.success(request, DONE[action] % {"number": repair.number, "name": name})
        return HttpResponseRedirect(back)
    if form is not None:
        # Refused: the repair's page with what was typed, the errors beside their fields — also
        # when the form was sent from a list (my jobs), which has no room to show it again.
        return _detail(request, repair, bound={action: form})
    return HttpResponseRedirect(back)


def _bound_form(action: str, data, repair: Repair):
    if action not in FORMS:
        return None
    if action == "quote":
        return f.QuoteForm(data, estate=repair.estate)
    return FORMS[action](data)
