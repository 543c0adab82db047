"""Pre-hand-over inspection pages (内部验房): the bulk entry on a phone, the problem list per unit
or building (printable, XLSX), a problem's fix and re-check, the inspection summary, and the
setup of rounds and the defect taxonomy."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from inspections import services
from inspections.forms.handover import (
    DefectTypeForm,
    FixForm,
    ProblemRowsFormSet,
    RoundChoiceForm,
    RoundForm,
)
from inspections.models import Problem
from inspections.selectors import handover as sel
from inspections.views.common import done, estate_or_404, page, renovation_view
from propserv.documents import Document, Grid, Heading, Text, document_response
from propserv.exports import Column, export_response
from propserv.models import Building, Unit
from propserv.roles import HANDOVER_INSPECTORS, HANDOVER_PLANNERS, HANDOVER_VIEWERS
from propserv.web import attempt, form_errors_to_messages

viewers = renovation_view(HANDOVER_VIEWERS)


def _problem(request, pk) -> Problem:
    qs = sel.problems_of(sel.visible(Problem.objects.all(), request.user))
    return get_object_or_404(qs, pk=pk)


@renovation_view(HANDOVER_INSPECTORS)
def problems_new(request):
    """Several problems a minute: five rows a screen, the round and the last unit kept."""
    estate = estate_or_404(request)
    data = request.POST if request.method == "POST" else None
    head = RoundChoiceForm(data, estate=estate, initial={"round": request.GET.get("round")})
    rows = ProblemRowsFormSet(
        data,
        request.FILES or None,
        form_kwargs={"estate": estate},
        initial=[{"unit": request.GET.get("unit", "")}] if request.GET.get("unit") else None,
    )
    if request.method == "POST" and head.is_valid() and rows.is_valid():
        filled = rows.filled()
        new = [
            services.NewProblem(
                unit=f.cleaned_data["unit_obj"],
                location=f.cleaned_data["location"],
                defect_type=f.cleaned_data["defect_type"],
                severity=f.cleaned_data["severity"],
                description=f.cleaned_data["description"],
                photo=f.cleaned_data["photo"],
            )
            for f in filled
        ]
        ok, created = attempt(
            request,
            services.problems_add,
            form=head,
            estate=estate,
            rows=new,
            round=head.cleaned_data["round"],
            actor=request.user,
        )
        if ok:
            query = f"?estate={estate.code}&unit={created[-1].unit.code}"
            if head.cleaned_data["round"]:
                query += f"&round={head.cleaned_data['round'].pk}"
            return done(
                request,
                reverse("inspections:problems-new") + query,
                _("%(n)s problem(s) entered.") % {"n": len(created)},
            )
    units = Unit.objects.filter(estate=estate).values_list("code", flat=True)
    return page(
        request,
        "inspections/handover/problems_new.html",
        {"estate": estate, "head": head, "rows": rows, "units": units},
        head,
        *rows.forms,
    )


def _filters(request, estate):
    building = Building.objects.filter(
        estate=estate, code=request.GET.get("building") or ""
    ).first()
    unit = Unit.in_estate(estate, request.GET.get("unit") or "")
    status = request.GET.get("status", "open")
    return building, unit, status


def _list(request, estate):
    building, unit, status = _filters(request, estate)
    qs = sel.building_problems(request.user, estate, building, status=status)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return building, unit, status, qs


COLUMNS = [
    Column("number", _lazy("No."), 10),
    Column(lambda p: p.unit.code, _lazy("Unit"), 12),
    Column("location", _lazy("Room or location"), 16),
    Column(lambda p: p.defect_type.name, _lazy("Defect type"), 14),
    Column(lambda p: p.get_severity_display(), _lazy("Severity"), 12),
    Column("description", _lazy("Description"), 30),
    Column(lambda p: p.get_status_display(), _lazy("Status"), 12),
    Column(lambda p: timezone.localdate(p.created_at), _lazy("Found on"), 12, "yyyy-mm-dd"),
    Column(
        lambda p: timezone.localdate(p.closed_at) if p.closed_at else None,
        _lazy("Closed on"),
        12,
        "yyyy-mm-dd",
    ),
]


@viewers
def problem_list(request):
    estate = estate_or_404(request)
    building, unit, status, qs = _list(request, estate)
    what = unit.code if unit else (building.code if building else estate.name)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        title = _("Problem list: %(what)s") % {"what": what}
        return export_response(COLUMNS, qs, fmt="xlsx", filename="problems", title=title)
    if fmt in ("print", "pdf"):
        return document_response(
            request, _document(estate, what, qs), fmt="pdf" if fmt == "pdf" else "html"
        )
    return page(
        request,
        "inspections/handover/problems.html",
        {
            "estate": estate,
            "problems": qs[:500],
            "buildings": Building.objects.filter(estate=estate),
            "building": building,
            "unit": unit,
            "status": status,
            "query": request.GET.urlencode(),
            "statuses": [("open", _("Not closed")), *Problem.Status.choices, ("", _("All"))],
        },
    )


def _document(estate, what, qs) -> Document:
    rows = [
        [
            p.number,
            p.unit.code,
            p.location,
            p.defect_type.name,
            p.get_severity_display(),
            p.description,
            p.get_status_display(),
        ]
        for p in qs
    ]
    return Document(
        title=_("Problem list for the builder"),
        subtitle=f"{estate.name} · {what}",
        filename="problems",
        blocks=[
            Heading(_("%(n)s problem(s)") % {"n": len(rows)}),
            Grid(
                [str(c.heading) for c in COLUMNS[:7]],
                rows,
            ),
            Text(_("Printed %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
        ],
    )


@viewers
def problem_detail(request, pk):
    problem = _problem(request, pk)
    return page(
        request,
        "inspections/handover/problem.html",
        {"problem": problem, "fix_form": FixForm()},
    )


@require_POST
@renovation_view(HANDOVER_INSPECTORS)
def problem_fix(request, pk):
    problem = _problem(request, pk)
    form = FixForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _r = attempt(
            request,
            services.problem_fix,
            problem=problem,
            evidence=form.cleaned_data["evidence"],
            photo=form.cleaned_data["photo"],
            actor=request.user,
        )
        return done(
            request, reverse("inspections:problem", args=[pk]), _("Fix recorded.") if ok else ""
        )
    form_errors_to_messages(request, form)
    return done(request, reverse("inspections:problem", args=[pk]))


@require_POST
@renovation_view(HANDOVER_INSPECTORS)
def problem_recheck(request, pk):
    problem = _problem(request, pk)
    passed = request.POST.get("passed") == "1"
    ok, _r = attempt(
        request, services.problem_recheck, problem=problem, passed=passed, actor=request.user
    )
    text = (_("Problem closed.") if passed else _("Sent back: not fixed.")) if ok else ""
    return done(request, reverse("inspections:problem", args=[pk]), text)


@viewers
def summary(request):
    estate = estate_or_404(request)
    return page(
        request,
        "inspections/handover/summary.html",
        {"estate": estate, "s": sel.inspection_summary(request.user, estate)},
    )


@renovation_view(HANDOVER_VIEWERS)
def setup(request):
    """Inspection rounds per building and the estate's defect taxonomy."""
    estate = estate_or_404(request)
    data = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if data else None
    round_form = RoundForm(data if which == "round" else None, estate=estate)
    type_form = DefectTypeForm(data if which == "type" else None)
    if which == "round" and round_form.is_valid():
        ok, _r = attempt(
            request,
            services.round_open,
            form=round_form,
            actor=request.user,
            **round_form.cleaned_data,
        )
        if ok:
            return done(request, f"{request.path}?estate={estate.code}", _("Round opened."))
    if which == "type" and type_form.is_valid():
        ok, _r = attempt(
            request,
            services.defect_type_add,
            form=type_form,
            estate=estate,
            actor=request.user,
            **type_form.cleaned_data,
        )
        if ok:
            return done(request, f"{request.path}?estate={estate.code}", _("Defect type added."))
    return page(
        request,
        "inspections/handover/setup.html",
        {
            "estate": estate,
            "round_form": round_form,
            "type_form": type_form,
            "rounds": sel.rounds(request.user, estate),
            "types": estate.defect_types.all(),
            "may_plan": HANDOVER_PLANNERS,
        },
        round_form,
        type_form,
    )
