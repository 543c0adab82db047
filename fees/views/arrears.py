"""The arrears list (filters, CSV/XLSX export) and the public arrears notice (print, PDF,
approval by the project manager)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fees import selectors, services
from fees.forms import ArrearsFilterForm, LargeDebtFilterForm
from fees.models import ArrearsNotice
from fees.views.common import estate_or_404, fees_view
from propserv.documents import Document, Grid, Heading, Signatures, Text, document_response
from propserv.exports import Column, export_response
from propserv.roles import ARREARS_CHASERS, ARREARS_NOTICE_APPROVERS, FEE_MANAGERS, has_role
from propserv.web import attempt

COLUMNS = [
    Column("unit__code", gettext_lazy("Unit"), 12),
    Column("unit__building__code", gettext_lazy("Building"), 8),
    Column("months", gettext_lazy("Months behind"), 10),
    Column("total", gettext_lazy("Owing (¥)"), 12),
    Column("current", gettext_lazy("Not yet due"), 12),
    Column("d1_30", gettext_lazy("1–30 days"), 12),
    Column("d31_90", gettext_lazy("31–90 days"), 12),
    Column("d91_180", gettext_lazy("91–180 days"), 12),
    Column("d181", gettext_lazy("181 days and more"), 12),
]


@fees_view()
def arrears(request):
    estate = estate_or_404(request)
    form = ArrearsFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.arrears(
        [estate.pk],
        building=filters.get("building") or "",
        bucket=filters.get("bucket") or "",
        in_bucket=filters.get("in_bucket") or "",
        min_amount=filters.get("min_amount"),
        min_months=filters.get("min_months"),
    )
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            COLUMNS, rows, fmt=fmt, filename=f"arrears-{estate.code}", title=_("Arrears")
        )
    context = {
        "estate": estate,
        "form": form,
        "rows": rows,
        "columns": COLUMNS,
        "notices": ArrearsNotice.objects.filter(estate=estate)[:10],
        "can_prepare": has_role(request.user, ARREARS_CHASERS),
        "can_see_large": has_role(request.user, FEE_MANAGERS),
        "query": request.GET.urlencode(),
    }
    return render(request, "fees/arrears.html", context)


LARGE_COLUMNS = [
    Column("unit__code", gettext_lazy("Unit"), 12),
    Column("unit__building__code", gettext_lazy("Building"), 8),
    Column("months", gettext_lazy("Months behind"), 10),
    Column("total", gettext_lazy("Owing (¥)"), 12),
    Column("d181", gettext_lazy("181 days and more"), 12),
    Column("last_reminder", gettext_lazy("Last reminder"), 12),
]


@fees_view(FEE_MANAGERS)
def large_debts(request):
    """Units owing the estate's large-debt amount or more: the list for legal follow-up."""
    estate = estate_or_404(request)
    form = LargeDebtFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.large_debts(
        estate,
        building=filters.get("building") or "",
        min_amount=filters.get("min_amount"),
        min_months=filters.get("min_months"),
    )
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            LARGE_COLUMNS,
            rows,
            fmt=fmt,
            filename=f"large-debts-{estate.code}",
            title=_("Large debts for legal follow-up"),
        )
    context = {
        "estate": estate,
        "form": form,
        "rows": rows,
        "columns": LARGE_COLUMNS,
        "threshold": estate.service_settings.large_debt_amount,
        "query": request.GET.urlencode(),
    }
    return render(request, "fees/large_debts.html", context)


@fees_view(ARREARS_CHASERS)
def notice_prepare(request):
    if request.method != "POST":
        return redirect("fees:arrears")
    ok, notice = attempt(
        request, services.notice_prepare, estate=estate_or_404(request), actor=request.user
    )
    return redirect("fees:notice", notice.pk) if ok else redirect("fees:arrears")


def notice_document(notice: ArrearsNotice) -> Document:
    title = _("Notice of overdue property fees")
    rows = [[line["unit"], line["months"], line["amount"]] for line in notice.lines]
    return Document(
        title=f"{title} {notice.number}".strip(),
        filename=f"arrears-notice-{notice.number or notice.pk}",
        subtitle=notice.number or _("Draft: not yet approved"),
        blocks=[
            Heading(f"{notice.estate.name} · {title}"),
            Text(
                _(
                    "As of %(date)s, the following units are %(months)s or more months behind with their property fees. Please pay at the customer-service centre."
                )
                % {"date": notice.as_of.strftime("%Y-%m-%d"), "months": notice.min_months}
            ),
            Grid([_("Unit"), _("Months behind"), _("Owing (¥)")], rows),
            Signatures([_("Project manager")]),
        ],
    )


@fees_view()
def notice(request, pk):
    obj = get_object_or_404(
        ArrearsNotice.objects.for_user(request.user).select_related("estate"), pk=pk
    )
    if request.method == "POST":
        if not has_role(request.user, ARREARS_NOTICE_APPROVERS):
            raise Http404
        ok, _approved = attempt(request, services.notice_approve, notice=obj, actor=request.user)
        if ok:
            messages.success(request, pgettext("fees", "Notice approved."))
        return redirect("fees:notice", obj.pk)
    fmt = request.GET.get("format")
    if fmt in {"html", "pdf"}:
        return document_response(request, notice_document(obj), fmt=fmt)
    context = {"notice": obj, "actions": services.allowed_actions(obj, request.user)}
    return render(request, "fees/notice.html", context)
