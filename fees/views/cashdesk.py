"""The cash desk's day (takings per cashier by method, the count, finance's close, the deposit
slip) and the income disclosure by charge item for the owners."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fees import selectors, services
from fees.forms import DayCloseForm, DayForm, IncomeForm
from fees.models import DayClose, Method
from fees.views.common import estate_or_404, fees_view
from propserv.access import may
from propserv.documents import Document, Fields, Grid, Heading, Signatures, document_response
from propserv.exports import Column, export_response
from propserv.roles import FEE_FINANCE, FEE_MANAGERS
from propserv.web import attempt


@fees_view(FEE_MANAGERS)
def days(request):
    estate = estate_or_404(request)
    picker = DayForm(
        request.GET if "day" in request.GET else None, initial={"day": timezone.localdate()}
    )
    day = (
        picker.cleaned_data["day"]
        if picker.is_bound and picker.is_valid()
        else timezone.localdate()
    )
    form = DayCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cashier = get_object_or_404(get_user_model(), pk=form.cleaned_data["cashier"])
        ok, closed = attempt(
            request,
            services.day_close,
            form=form,
            estate=estate,
            cashier=cashier,
            day=day,
            counted_cash=form.cleaned_data["counted_cash"],
            explanation=form.cleaned_data["explanation"],
            actor=request.user,
        )
        if ok:
            messages.success(request, _("Day closed."))
            return redirect(f"{request.path}?day={day:%Y-%m-%d}")
    context = {
        "estate": estate,
        "picker": picker,
        "day": day,
        "rows": selectors.takings(estate, day),
        "form": form,
        "methods": Method.choices,
        "can_close": may(request.user, estate, FEE_FINANCE),
    }
    return render(request, "fees/days.html", context, status=400 if form.errors else 200)


@fees_view(FEE_MANAGERS)
def deposit_slip(request, pk):
    close = get_object_or_404(
        DayClose.objects.for_user(request.user).select_related("estate", "cashier", "closed_by"),
        pk=pk,
    )
    labels = dict(Method.choices)
    doc = Document(
        title=f"{_('Deposit slip')} {close.day:%Y-%m-%d}",
        filename=f"deposit-slip-{close.day:%Y%m%d}-{close.cashier_id}",
        blocks=[
            Heading(f"{close.estate.name} · {_('Deposit slip')}"),
            Fields(
                [
                    (_("Day"), f"{close.day:%Y-%m-%d}"),
                    (_("Cashier"), close.cashier.get_full_name() or close.cashier.get_username()),
                    (_("Cash expected (¥)"), str(close.expected_cash)),
                    (_("Cash counted (¥)"), str(close.counted_cash)),
                    (_("Difference (¥)"), str(close.difference)),
                    (_("Explanation of any difference"), close.explanation or "—"),
                ]
            ),
            Grid(
                [_("Method"), _("Amount (¥)")],
                [[labels.get(k, k), v] for k, v in close.takings.items()],
            ),
            Signatures([_("Cashier"), _("Finance")]),
        ],
    )
    return document_response(
        request, doc, fmt="pdf" if request.GET.get("format") == "pdf" else "html"
    )


INCOME_COLUMNS = [
    Column("item", gettext_lazy("Item"), 24),
    Column("total", gettext_lazy("Income (¥)"), 14),
]


@fees_view(FEE_MANAGERS)
def income(request):
    estate = estate_or_404(request)
    today = timezone.localdate()
    form = IncomeForm(
        request.GET if "year" in request.GET else None, initial={"year": today.year, "part": "q1"}
    )
    rows, start, end = [], None, None
    if form.is_bound and form.is_valid():
        start, end = form.period()
        rows = selectors.income([estate.pk], start, end)
        title = f"{estate.name} {_('Income by charge item')} {start:%Y-%m}–{end:%Y-%m}"
        fmt = request.GET.get("format")
        if fmt == "xlsx":
            return export_response(
                INCOME_COLUMNS,
                rows,
                fmt="xlsx",
                filename=f"income-{estate.code}-{start:%Y%m}",
                title=title,
            )
        if fmt in {"html", "pdf"}:
            total = sum((r["total"] for r in rows), 0)
            doc = Document(
                title=title,
                filename=f"income-{estate.code}-{start:%Y%m}",
                blocks=[
                    Heading(title),
                    Grid(
                        [_("Item"), _("Income (¥)")],
                        [[r["item"], r["total"]] for r in rows] + [[_("Total"), total]],
                    ),
                ],
            )
            return document_response(request, doc, fmt=fmt)
    context = {
        "estate": estate,
        "form": form,
        "rows": rows,
        "start": start,
        "end": end,
        "query": request.GET.urlencode(),
    }
    return render(request, "fees/income.html", context)
