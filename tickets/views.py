"""Staff screens for repairs: the front-desk board, the detail/timeline, the technician's jobs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.phones import mask_phone
from propserv.roles import can_see_phones
from propserv.web import current_estate, safe_next
from tickets import forms as f
from tickets.models import Repair
from tickets.services import repairs as services


def _repairs(request):
    return Repair.objects.for_user(request.user).select_related(
        "estate", "unit", "category", "technician"
    )


@login_required
def board(request):
    """Open repairs, the one with the least time left first; refreshes itself."""
    estate = current_estate(request)
    now = timezone.now()
    repairs = (
        (
            _repairs(request)
            .filter(estate=estate)
            .open()
            .annotate(
                next_due=Min(
                    "deadlines__due_at",
                    filter=Q(deadlines__met_at__isnull=True, deadlines__cancelled_at__isnull=True),
                )
            )
            .prefetch_related("deadlines")
            .order_by("next_due", "received_at")[:200]
        )
        if estate
        else []
    )
    rows = []
    for repair in repairs:
        open_deadlines = sorted(
            (d for d in repair.deadlines.all() if d.is_open), key=lambda d: d.due_at
        )
        current = open_deadlines[0] if open_deadlines else None
        rows.append(
            {
                "repair": repair,
                "deadline": current,
                "state": current.state(now) if current else "none",
                "phone": repair.reporter_phone
                if can_see_phones(request.user)
                else mask_phone(repair.reporter_phone),
            }
        )
    template = "tickets/_board_rows.html" if request.GET.get("fragment") else "tickets/board.html"
    return render(
        request,
        template,
        {
            "rows": rows,
            "estate": estate,
            "now": now,
            "technicians": f.technicians_of(estate) if estate else [],
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
        try:
            repair = services.repair_create(
                estate=estate, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Repair %(number)s logged.") % {"number": repair.number})
            return HttpResponseRedirect(reverse("tickets:board"))
    return render(
        request,
        "tickets/repair_form.html",
        {"form": form, "estate": estate},
        status=400 if form.errors else 200,
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def repair_detail(request, pk: int):
    repair = get_object_or_404(
        _repairs(request).prefetch_related("events__actor", "deadlines", "charge_lines"), pk=pk
    )
    now = timezone.now()
    deadlines = sorted(repair.deadlines.all(), key=lambda d: (d.started_at, d.pk))
    return render(
        request,
        "tickets/repair_detail.html",
        {
            "repair": repair,
            "deadlines": [(d, d.state(now)) for d in deadlines],
            "now": now,
            "phone": repair.reporter_phone
            if can_see_phones(request.user)
            else mask_phone(repair.reporter_phone),
            "technicians": f.technicians_of(repair.estate),
            "complete_form": f.CompleteForm(),
            "hold_form": f.HoldForm(),
            "reason_form": f.ReasonForm(),
            "callback_form": f.CallbackForm(),
        },
    )


@login_required
def my_jobs(request):
    """The technician's phone view: my open jobs, one tap to say I have arrived."""
    jobs = (
        _repairs(request)
        .filter(technician=request.user)
        .open()
        .exclude(status__in=[Repair.Status.COMPLETED, Repair.Status.CALLED_BACK])
        .prefetch_related("deadlines")
        .order_by("-urgent", "received_at")
    )
    now = timezone.now()
    rows = []
    for repair in jobs:
        open_deadlines = sorted(
            (d for d in repair.deadlines.all() if d.is_open), key=lambda d: d.due_at
        )
        rows.append(
            {
                "repair": repair,
                "deadline": open_deadlines[0] if open_deadlines else None,
                "state": open_deadlines[0].state(now) if open_deadlines else "none",
            }
        )
    return render(
        request, "tickets/my_jobs.html", {"rows": rows, "complete_form": f.CompleteForm()}
    )


ACTIONS = {
    "dispatch": None,  # needs the technician: handled below
    "arrive": (services.repair_mark_arrived, None),
    "start": (services.repair_start, None),
    "resume": (services.repair_resume, None),
    "complete": (services.repair_complete, f.CompleteForm),
    "hold": (services.repair_hold, f.HoldForm),
    "cancel": (services.repair_cancel, f.ReasonForm),
    "reopen": (services.repair_reopen, f.ReasonForm),
    "callback": (services.repair_record_callback, f.CallbackForm),
}


@login_required
@require_POST
def repair_action(request, pk: int, action: str):
    repair = get_object_or_404(_repairs(request), pk=pk)
    back = safe_next(request, request.POST.get("next"), repair.get_absolute_url())
    if action not in ACTIONS:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(back)
    try:
        if action == "dispatch":
            technician = (
                f.technicians_of(repair.estate)
                .filter(pk=request.POST.get("technician") or 0)
                .first()
            )
            if technician is None:
                raise ValidationError(_("Choose a technician."))
            services.repair_dispatch(repair_id=repair.pk, technician=technician, actor=request.user)
        else:
            service, form_class = ACTIONS[action]
            kwargs = {}
            if form_class is not None:
                form = form_class(request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        [
                            f"{form.fields[k].label}: {' '.join(v)}"
                            if k in form.fields
                            else " ".join(v)
                            for k, v in form.errors.items()
                        ]
                    )
                kwargs = form.cleaned_data
            service(repair_id=repair.pk, actor=request.user, **kwargs)
    except (services.TransitionError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(number)s: done.") % {"number": repair.number})
    return HttpResponseRedirect(back)
