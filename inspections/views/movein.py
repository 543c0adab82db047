"""Move-in pages (入伙): plans with their checklist and batches, booking (in a batch or a later
arrival), the day's appointments, one appointment on the day (arrival, the owner's inspection,
acceptance or refusal, the welcome visit), the live board per batch and the move-in summary."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections import services
from inspections.forms.handover import (
    AcceptForm,
    BatchForm,
    BookForm,
    NoteForm,
    PlanForm,
    ProblemRowsFormSet,
    RefuseForm,
)
from inspections.models import MoveInAppointment, MoveInBatch, MoveInPlan, PrepItem
from inspections.selectors import handover as sel
from inspections.views.common import done, estate_or_404, page, renovation_view
from propserv.access import may
from propserv.roles import HANDOVER_DESK, HANDOVER_PLANNERS, HANDOVER_VIEWERS
from propserv.web import attempt, form_errors_to_messages

viewers = renovation_view(HANDOVER_VIEWERS)
desk = renovation_view(HANDOVER_DESK)
REFRESH_SECONDS = 10


def _plan(request, pk) -> MoveInPlan:
    return get_object_or_404(sel.visible(MoveInPlan.objects.all(), request.user), pk=pk)


def _appointment(request, pk) -> MoveInAppointment:
    return get_object_or_404(sel.appointments(request.user).select_related("estate"), pk=pk)


@viewers
def movein_home(request):
    estate = estate_or_404(request)
    form = PlanForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, plan = attempt(
            request,
            services.plan_create,
            form=form,
            estate=estate,
            actor=request.user,
            **form.cleaned_data,
        )
        if ok:
            return done(request, plan.get_absolute_url(), _("Plan saved."))
    today = timezone.localdate()
    return page(
        request,
        "inspections/handover/movein.html",
        {
            "estate": estate,
            "plans": sel.plans(request.user, estate).prefetch_related("batches"),
            "today": sel.day_list(request.user, estate, today),
            "day": today,
            "form": form,
            "may_plan": may(request.user, estate, HANDOVER_PLANNERS),
        },
        form,
    )


@viewers
def plan_detail(request, pk):
    plan = _plan(request, pk)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _b = attempt(
            request,
            services.batch_add,
            form=form,
            plan=plan,
            actor=request.user,
            **form.cleaned_data,
        )
        if ok:
            return done(request, plan.get_absolute_url(), _("Batch added."))
    return page(
        request,
        "inspections/handover/plan.html",
        {
            "plan": plan,
            "items": plan.prep_items.select_related("done_by"),
            "batches": plan.batches.all(),
            "form": form,
            "may_plan": may(request.user, plan.estate_id, HANDOVER_PLANNERS),
            "may_tick": may(request.user, plan.estate_id, HANDOVER_DESK),
        },
        form,
    )


@require_POST
@desk
def prep_tick(request, pk):
    item = get_object_or_404(
        PrepItem.objects.filter(plan__in=sel.visible(MoveInPlan.objects.all(), request.user)), pk=pk
    )
    ok, _i = attempt(request, services.prep_tick, item=item, actor=request.user)
    return done(request, item.plan.get_absolute_url(), _("Ticked.") if ok else "")


@viewers
def plan_summary(request, pk):
    plan = _plan(request, pk)
    return page(request, "inspections/handover/movein_summary.html", sel.move_in_summary(plan))


@viewers
def board(request, pk):
    """The live progress of a batch; the table refreshes itself (movein-board.js)."""
    batch = get_object_or_404(
        MoveInBatch.objects.filter(
            plan__in=sel.visible(MoveInPlan.objects.all(), request.user)
        ).select_related("plan"),
        pk=pk,
    )
    context = {**sel.board(batch), "refresh_seconds": REFRESH_SECONDS}
    if request.GET.get("fragment"):
        return page(request, "inspections/handover/_board.html", context)
    return page(request, "inspections/handover/board.html", context)


@desk
def book(request):
    estate = estate_or_404(request)
    initial = {"batch": request.GET.get("batch"), "day": timezone.localdate()}
    form = BookForm(request.POST or None, estate=estate, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, appt = attempt(
            request,
            services.appointment_book,
            form=form,
            unit=d["unit_obj"],
            owner=d["owner"],
            day=d["day"],
            time=d["time"],
            batch=d["batch"],
            actor=request.user,
        )
        if ok:
            return done(
                request,
                f"{reverse('inspections:movein-book')}?estate={estate.code}",
                _("Unit %(unit)s booked for %(day)s.")
                % {"unit": appt.unit.code, "day": appt.day.isoformat()},
            )
    return page(
        request,
        "inspections/handover/book.html",
        {"estate": estate, "form": form, "later": sel.later_arrivals(request.user, estate)[:50]},
        form,
    )


@viewers
def day(request):
    estate = estate_or_404(request)
    chosen = parse_date(request.GET.get("day") or "") or timezone.localdate()
    return page(
        request,
        "inspections/handover/day.html",
        {
            "estate": estate,
            "day": chosen,
            "previous": chosen - dt.timedelta(days=1),
            "next": chosen + dt.timedelta(days=1),
            "appointments": sel.day_list(request.user, estate, chosen),
        },
    )


def _appointment_page(request, appt, *, accept=None, refuse=None, rows=None, status=200):
    context = {
        "a": appt,
        "problems": sel.unit_problem_rows(appt.unit),
        "accept_form": accept or AcceptForm(unit=appt.unit),
        "refuse_form": refuse or RefuseForm(),
        "rows": rows
        or ProblemRowsFormSet(
            form_kwargs={"estate": appt.estate}, initial=[{"unit": appt.unit.code}]
        ),
        "note_form": NoteForm(),
        "is_open": appt.status in MoveInAppointment.OPEN
        and may(request.user, appt.estate_id, HANDOVER_DESK),
        "may_desk": may(request.user, appt.estate_id, HANDOVER_DESK),
        "welcome": sel.deadline_of(appt, "handover.welcome_visit"),
    }
    return page(
        request,
        "inspections/handover/appointment.html",
        context,
        accept,
        refuse,
        *(rows.forms if rows else ()),
    )


@viewers
def appointment_detail(request, pk):
    return _appointment_page(request, _appointment(request, pk))


@require_POST
@desk
def appointment_arrive(request, pk):
    appt = _appointment(request, pk)
    ok, _a = attempt(request, services.appointment_arrive, appointment=appt, actor=request.user)
    return done(request, appt.get_absolute_url(), _("Arrival recorded.") if ok else "")


@require_POST
@desk
def appointment_problems(request, pk):
    """The owner's inspection: new problems go to the unit's problem list."""
    appt = _appointment(request, pk)
    rows = ProblemRowsFormSet(request.POST, request.FILES, form_kwargs={"estate": appt.estate})
    if rows.is_valid():
        new = [
            services.NewProblem(
                unit=f.cleaned_data["unit_obj"] or appt.unit,
                location=f.cleaned_data["location"],
                defect_type=f.cleaned_data["defect_type"],
                severity=f.cleaned_data["severity"],
                description=f.cleaned_data["description"],
                photo=f.cleaned_data["photo"],
            )
            for f in rows.filled()
        ]
        ok, created = attempt(
            request,
            services.problems_add,
            estate=appt.estate,
            rows=new,
            appointment=appt,
            actor=request.user,
        )
        if ok:
            return done(
                request,
                appt.get_absolute_url(),
                _("%(n)s problem(s) entered.") % {"n": len(created)},
            )
        return done(request, appt.get_absolute_url())
    return _appointment_page(request, appt, rows=rows)


@require_POST
@desk
def appointment_accept(request, pk):
    appt = _appointment(request, pk)
    form = AcceptForm(request.POST, unit=appt.unit)
    if form.is_valid():
        ok, _h = attempt(
            request,
            services.appointment_accept,
            form=form,
            appointment=appt,
            actor=request.user,
            **form.cleaned_data,
        )
        if ok:
            return done(
                request,
                appt.get_absolute_url(),
                _("Unit %(unit)s accepted and handed over.") % {"unit": appt.unit.code},
            )
    return _appointment_page(request, appt, accept=form)


@require_POST
@desk
def appointment_refuse(request, pk):
    appt = _appointment(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        ok, _a = attempt(
            request,
            services.appointment_refuse,
            form=form,
            appointment=appt,
            actor=request.user,
            **form.cleaned_data,
        )
        if ok:
            return done(request, appt.get_absolute_url(), _("Refusal recorded."))
    return _appointment_page(request, appt, refuse=form)


@require_POST
@desk
def welcome_visit(request, pk):
    appt = _appointment(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        ok, _a = attempt(
            request,
            services.welcome_visit_record,
            appointment=appt,
            actor=request.user,
            note=form.cleaned_data["note"],
        )
        return done(request, appt.get_absolute_url(), _("Welcome visit recorded.") if ok else "")
    form_errors_to_messages(request, form)
    return done(request, appt.get_absolute_url())
