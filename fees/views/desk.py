"""The cashier's desk: find the unit, see its open charges, take the payment, print the receipt
— under a minute while the owner waits (docs/domain.md, "Fees")."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fees import selectors, services
from fees.forms import PaymentForm, ReasonForm, UnitLookupForm
from fees.models import Payment
from fees.views.common import fees_view, unit_of
from propserv.documents import Document, Fields, Grid, Heading, Signatures, Text, document_response
from propserv.models import Unit
from propserv.roles import CASHIERS, FEE_FINANCE
from propserv.web import attempt, estates_for


@fees_view(CASHIERS)
def desk(request):
    lookup = UnitLookupForm(request.GET if "q" in request.GET else None)
    unit = None
    found = []
    if request.GET.get("unit"):
        unit = unit_of(request, request.GET["unit"])
    elif lookup.is_bound and lookup.is_valid():
        found = list(
            Unit.objects.filter(
                estate__in=estates_for(request.user),
                code__icontains=lookup.cleaned_data["q"].strip(),
            )
            .select_related("estate")
            .order_by("code")[:20]
        )
        if len(found) == 1:
            return redirect(f"{request.path}?unit={found[0].pk}")
    form = None
    summary = None
    if unit is not None:
        open_charges = list(selectors.open_charges(unit))
        summary = selectors.account_summary(unit)
        initial = {"amount": summary["open_total"] or None}
        form = PaymentForm(request.POST or None, open_charges=open_charges, initial=initial)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            ok, payment = attempt(
                request,
                services.payment_post,
                form=form,
                unit=unit,
                amount=d["amount"],
                method=d["method"],
                reference=d["reference"],
                payer_name=d["payer_name"],
                picked=d["charges"],
                keep_credit=d["keep_credit"],
                actor=request.user,
            )
            if ok:
                messages.success(
                    request,
                    _("Payment taken: receipt %(number)s.") % {"number": payment.receipt_number},
                )
                return redirect("fees:receipt", payment.pk)
        summary["open_charges"] = open_charges
    status = 400 if form is not None and form.errors else 200
    context = {"lookup": lookup, "found": found, "unit": unit, "form": form, "summary": summary}
    return render(request, "fees/desk.html", context, status=status)


def receipt_document(payment: Payment) -> Document:
    rows = [
        [a.charge.item.name, f"{a.charge.period:%Y-%m}", str(a.amount)]
        for a in payment.allocations.select_related("charge__item")
    ]
    if payment.unapplied or payment.refunded:
        rows.append([_("Prepayment credit"), "", str(payment.unapplied + payment.refunded)])
    blocks = [
        Heading(f"{payment.estate.name} · {_('Receipt')}"),
        Fields(
            [
                (_("Receipt number"), payment.receipt_number),
                (_("Unit"), payment.unit.code),
                (_("Paid by"), payment.payer_name or "—"),
                (_("Amount (¥)"), str(payment.amount)),
                (_("Method"), payment.get_method_display()),
                (_("Payer's reference"), payment.reference or "—"),
                (_("Taken at"), f"{timezone.localtime(payment.taken_at):%Y-%m-%d %H:%M}"),
                (
                    _("Taken by"),
                    payment.taken_by.get_full_name() or payment.taken_by.get_username(),
                ),
            ]
        ),
        Grid([_("Item"), _("Period"), _("Amount (¥)")], rows),
    ]
    if payment.reversed_at:
        blocks.append(
            Text(
                _("VOID: this payment was reversed (%(reason)s).")
                % {"reason": payment.reversal_reason}
            )
        )
    blocks.append(Signatures([_("Cashier"), _("Payer")]))
    return Document(
        title=f"{_('Receipt')} {payment.receipt_number}",
        filename=f"receipt-{payment.receipt_number}",
        blocks=blocks,
    )


@fees_view()
def receipt(request, pk):
    payment = get_object_or_404(
        Payment.objects.for_user(request.user).select_related("estate", "unit", "taken_by"), pk=pk
    )
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    return document_response(request, receipt_document(payment), fmt=fmt)


@fees_view(FEE_FINANCE)
def payment_reverse(request, pk):
    payment = get_object_or_404(
        Payment.objects.for_user(request.user).select_related("unit__estate"), pk=pk
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _done = attempt(
            request,
            services.payment_reverse,
            form=form,
            payment=payment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(
                request, _("Payment %(number)s reversed.") % {"number": payment.receipt_number}
            )
            return redirect("fees:statement", payment.unit_id)
    status = 400 if form.errors else 200
    return render(request, "fees/reverse.html", {"form": form, "payment": payment}, status=status)
