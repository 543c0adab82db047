"""Quality checks (docs/domain.md, "Quality checks"): the month's overview, checklist templates,
a check done from a phone, non-conformities closed, the defect closure record with its fault
transfer form, the weather-warning log, the monthly findings by specialty (print, PDF, XLSX)
and the per-person summary for appraisal (XLSX, CSV)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections.forms.quality import (
    CheckForm,
    CloseForm,
    FixForm,
    TemplateForm,
    TransferForm,
    VerifyForm,
    WarningForm,
)
from inspections.models import Defect, NonConformity, QualityCheck, QualityTemplate
from inspections.selectors import quality as selectors
from inspections.services import quality as services
from inspections.services import quality_defects, quality_night
from inspections.views.common import done, estate_or_404, page
from inspections.views.quality_reports import (
    findings_response,
    staff_response,
    transfer_document,
)
from propserv.access import may
from propserv.documents import document_response
from propserv.roles import (
    QUALITY_CLOSERS,
    QUALITY_TEMPLATE_KEEPERS,
    QUALITY_VIEWERS,
    WEATHER_RECORDERS,
    has_role,
)
from propserv.web import attempt, form_errors_to_messages

T = "inspections/quality/"


def quality_view(*roles):
    """Login plus one of `roles` (default: the quality pages' readers)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *(roles or (QUALITY_VIEWERS,))):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def home_url(estate) -> str:
    return reverse("inspections:quality") + f"?estate={estate.code}"


@quality_view()
def home(request):
    estate = estate_or_404(request)
    month = selectors.parse_month(request.GET.get("month"), timezone.localdate())
    context = {
        "estate": estate,
        **selectors.overview(estate, month),
        "warning_form": WarningForm(),
        "can_warn": may(request.user, estate, WEATHER_RECORDERS),
        "can_keep_templates": may(request.user, estate, QUALITY_TEMPLATE_KEEPERS),
    }
    return page(request, T + "home.html", context)


@quality_view(QUALITY_TEMPLATE_KEEPERS)
def template_new(request):
    estate = estate_or_404(request)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _template = attempt(
            request,
            services.quality_template_save,
            form=form,
            estate=estate,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            items=form.parsed_items(),
            actor=request.user,
        )
        if ok:
            return done(request, home_url(estate), _("Checklist saved."))
    return page(request, T + "template_form.html", {"estate": estate, "form": form}, form)


@login_required
def check_new(request, pk):
    template = get_object_or_404(
        QualityTemplate.objects.for_user(request.user).select_related("estate"), pk=pk
    )
    if not may(request.user, template.estate, services.CHECKERS[template.kind]):
        raise PermissionDenied
    form = CheckForm(request.POST or None, request.FILES or None, template=template)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, check = attempt(
            request,
            services.quality_check_record,
            form=form,
            template=template,
            results=form.results(),
            findings=form.findings(),
            notes=d["notes"],
            photos=form.photos(),
            post=d.get("post", ""),
            on_duty=d.get("on_duty", ""),
            actor=request.user,
        )
        if ok:
            return done(request, check.get_absolute_url(), _("Check recorded."))
    context = {"template": template, "estate": template.estate, "form": form}
    return page(request, T + "check_form.html", context, form)


@login_required
def check_detail(request, pk):
    check = get_object_or_404(
        QualityCheck.objects.for_user(request.user).select_related("estate", "checked_by"), pk=pk
    )
    if not (has_role(request.user, QUALITY_VIEWERS) or check.checked_by_id == request.user.pk):
        raise PermissionDenied
    labels = {i["code"]: i for i in check.items}
    rows = [(labels[code], value) for code, value in check.results.items() if code in labels]
    context = {
        "check": check,
        "estate": check.estate,
        "rows": rows,
        "nonconformities": check.nonconformities.select_related("responsible"),
        "defects": check.defects.select_related("responsible"),
        "close_form": CloseForm(),
        "can_close": may(request.user, check.estate, QUALITY_CLOSERS),
    }
    return page(request, T + "check.html", context)


@quality_view(QUALITY_CLOSERS)
@require_POST
def nonconformity_close(request, pk):
    nc = get_object_or_404(NonConformity.objects.for_user(request.user), pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        ok, _nc = attempt(
            request,
            services.nonconformity_close,
            nonconformity=nc,
            closure=form.cleaned_data["closure"],
            actor=request.user,
        )
        if ok:
            return done(request, nc.get_absolute_url(), _("Non-conformity closed."))
    else:
        form_errors_to_messages(request, form)
    return done(request, nc.get_absolute_url())


FORMS = {"fix": FixForm, "transfer": TransferForm, "verify": VerifyForm}


@quality_view()
def defect_detail(request, pk):
    defect = get_object_or_404(
        Defect.objects.for_user(request.user).select_related(
            "estate", "responsible", "quality_check"
        ),
        pk=pk,
    )
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        name: cls(request.POST if action == name else None, prefix=name)
        for name, cls in FORMS.items()
    }
    allowed = quality_defects.defect_actions(defect, request.user)
    if action in FORMS:
        if action not in allowed:
            raise PermissionDenied
        form = forms[action]
        if form.is_valid():
            calls = {
                "fix": quality_defects.defect_fix,
                "transfer": quality_defects.defect_transfer,
                "verify": quality_defects.defect_verify,
            }
            ok, _defect = attempt(
                request,
                calls[action],
                form=form,
                defect=defect,
                actor=request.user,
                **form.cleaned_data,
            )
            if ok:
                return done(request, defect.get_absolute_url(), _("Defect record updated."))
    context = {
        "defect": defect,
        "estate": defect.estate,
        "forms": forms,
        "allowed": allowed,
        "fixes": defect.fixes.select_related("by"),
        "verifications": defect.verifications.select_related("by", "quality_check"),
        "transfer": getattr(defect, "transfer", None),
    }
    return page(request, T + "defect.html", context, *forms.values())


@quality_view()
def transfer_print(request, pk):
    """The fault transfer form (故障转移单) of a defect, printable."""
    defect = get_object_or_404(
        Defect.objects.for_user(request.user).select_related("estate", "transfer"), pk=pk
    )
    if not hasattr(defect, "transfer"):
        raise PermissionDenied
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    return document_response(request, transfer_document(defect), fmt=fmt)


@quality_view(WEATHER_RECORDERS)
@require_POST
def warning_new(request):
    estate = estate_or_404(request)
    form = WarningForm(request.POST)
    if form.is_valid():
        ok, _warning = attempt(
            request,
            quality_night.weather_warning_record,
            estate=estate,
            actor=request.user,
            **form.cleaned_data,
        )
        if ok:
            return done(request, home_url(estate), _("Weather warning logged."))
    else:
        form_errors_to_messages(request, form)
    return done(request, home_url(estate))


@quality_view()
def findings(request):
    """The monthly findings by specialty (月检通报): print view, PDF or XLSX."""
    estate = estate_or_404(request)
    month = selectors.parse_month(request.GET.get("month"), timezone.localdate())
    return findings_response(request, estate, month, request.GET.get("format", "html"))


@quality_view()
def staff_summary(request):
    """Per staff member of the month: the appraisal's quality figures (XLSX or CSV)."""
    estate = estate_or_404(request)
    month = selectors.parse_month(request.GET.get("month"), timezone.localdate())
    return staff_response(request, estate, month, request.GET.get("format", "xlsx"))
