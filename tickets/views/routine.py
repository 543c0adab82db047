"""Staff screens for routine callbacks (docs/domain.md, Callbacks): the quarter's overview with the
rate per person, planning visits and paid-service or emergency callbacks, the daily afternoon
tally (每天下午统计, page and export) and the register of key households (重点户) with each
household's service history. The calls themselves are worked in the callback queue.

Routes carry no record id in their path (the register's rows are named in the form), so every
page is reached through the user's own estates (`current_estate`)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.exports import Column, export_response
from propserv.models import Unit
from propserv.roles import CALLBACK_CALLERS, DESK, OFFICE, has_role
from propserv.web import attempt, current_estate, form_errors_to_messages
from tickets.forms import routine as forms
from tickets.models import Callback
from tickets.selectors import routine as selectors
from tickets.services import routine as services


def _estate(request, roles=OFFICE):
    if not has_role(request.user, roles):
        raise PermissionDenied
    estate = current_estate(request)
    if estate is None:
        raise Http404
    return estate


def _here(name: str, estate, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"estate": estate.code, **params}.items())
    return f"{reverse(name)}?{query}"


@login_required
def routine_overview(request):
    """This quarter: the rate per person against the targets, and the routine callbacks still to
    call (a kind to narrow them)."""
    estate = _estate(request)
    now = timezone.now()
    first, last = services.quarter_of(timezone.localdate(now))
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    targets = selectors.estate_targets(estate.service_settings)
    kind = request.GET.get("kind", "")
    if kind not in Callback.Kind.values:
        kind = ""
    return render(
        request,
        "tickets/routine/overview.html",
        {
            "estate": estate,
            "now": now,
            "first": first,
            "last": last,
            "rates": selectors.person_rates([estate.pk], start, end, now, targets),
            "targets": targets,
            "rows": selectors.routine_rows(request.user, estate, kind=kind),
            "kind": kind,
            "kinds": [(k, label) for k, label in Callback.Kind.choices if k != "problem"],
            "may_generate": has_role(request.user, CALLBACK_CALLERS),
            "may_plan": has_role(request.user, DESK),
            "generate_form": forms.GenerateVisitsForm(),
            "plan_form": forms.PlanCallbackForm(),
        },
    )


@login_required
@require_POST
def routine_generate(request):
    estate = _estate(request, CALLBACK_CALLERS)
    form = forms.GenerateVisitsForm(request.POST)
    back = _here("tickets:routine", estate)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return HttpResponseRedirect(back)
    ok, created = attempt(
        request,
        services.routine_generate_visits,
        estate=estate,
        kind=form.cleaned_data["kind"],
        actor=request.user,
    )
    if ok:
        messages.success(
            request,
            _("%(n)s visits planned (households already planned for the period are skipped).")
            % {"n": created},
        )
    return HttpResponseRedirect(back)


@login_required
@require_POST
def routine_plan(request):
    estate = _estate(request, DESK)
    form = forms.PlanCallbackForm(request.POST)
    back = _here("tickets:routine", estate)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    ok, callback = attempt(
        request,
        services.routine_plan,
        estate=estate,
        kind=data["kind"],
        unit=Unit.in_estate(estate, data["unit"]),
        topic=data["topic"],
        due_on_date=data["due_on_date"],
        actor=request.user,
    )
    if ok:
        messages.success(request, _("Callback planned."))
        return HttpResponseRedirect(callback.get_absolute_url())
    return HttpResponseRedirect(back)


TALLY_COLUMNS = [
    Column("label", _("Kind"), width=24),
    Column("who", _("Who calls"), width=18),
    Column("done", _("Done today")),
    Column("due", _("Due today")),
    Column("open", _("Due today, still to call")),
    Column("overdue", _("Overdue from before")),
]


@login_required
def routine_tally(request):
    """The afternoon tally of a day's callbacks, every kind: done, due, still to call, overdue;
    ?format=csv|xlsx downloads it."""
    estate = _estate(request)
    form = forms.TallyForm(request.GET)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or timezone.localdate()
    tally = selectors.daily_tally(estate, day, timezone.now())
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return export_response(
            TALLY_COLUMNS,
            tally["rows"],
            fmt=fmt,
            filename=f"callbacks-{estate.code}-{day:%Y-%m-%d}",
            title=str(_("Callbacks of %(day)s") % {"day": day.isoformat()}),
        )
    return render(
        request,
        "tickets/routine/tally.html",
        {"estate": estate, "tally": tally, "day": day, "form": form},
    )


@login_required
def key_households(request):
    """The register of key households; ?unit=<code> shows one household's service history."""
    estate = _estate(request)
    code = request.GET.get("unit", "").strip()
    unit = Unit.in_estate(estate, code) if code else None
    if code and unit is None:
        raise Http404
    return render(
        request,
        "tickets/routine/key_households.html",
        {
            "estate": estate,
            "rows": selectors.key_households(
                request.user, estate, include_removed=request.GET.get("all") == "1"
            ),
            "unit": unit,
            "history": selectors.service_history(unit) if unit else None,
            "form": forms.KeyHouseholdForm(),
            "remove_form": forms.KeyHouseholdRemoveForm(),
            "may_add": has_role(request.user, DESK),
            "may_remove": has_role(request.user, CALLBACK_CALLERS),
        },
    )


@login_required
@require_POST
def key_household_add(request):
    estate = _estate(request, DESK)
    form = forms.KeyHouseholdForm(request.POST)
    back = _here("tickets:key-households", estate)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return HttpResponseRedirect(back)
    ok, _row = attempt(
        request,
        services.key_household_add,
        estate=estate,
        unit=Unit.in_estate(estate, form.cleaned_data["unit"]),
        reason=form.cleaned_data["reason"],
        actor=request.user,
    )
    if ok:
        messages.success(request, _("Added to the register of key households."))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def key_household_remove(request):
    estate = _estate(request, CALLBACK_CALLERS)
    form = forms.KeyHouseholdRemoveForm(request.POST)
    back = _here("tickets:key-households", estate)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return HttpResponseRedirect(back)
    row = (
        selectors.key_households(request.user, estate)
        .filter(pk=form.cleaned_data["key_household"])
        .first()
    )
    if row is None:
        raise Http404
    ok, _row = attempt(
        request,
        services.key_household_remove,
        key_household_id=row.pk,
        reason=form.cleaned_data["reason"],
        actor=request.user,
    )
    if ok:
        messages.success(request, _("Taken off the register; its record is kept."))
    return HttpResponseRedirect(back)
