"""The billing-run page: preview a period, issue it (a task; the page shows the progress)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from fees import rules, services, tasks
from fees.forms import PeriodForm
from fees.models import BillingRun
from fees.views.common import estate_or_404, fees_view
from propserv.access import may
from propserv.roles import FEE_FINANCE, FEE_MANAGERS
from propserv.web import attempt


@fees_view(FEE_MANAGERS)
def billing(request):
    estate = estate_or_404(request)
    data = request.POST if request.method == "POST" else request.GET
    # The estate's period holding today: its month, or its half-year (January or July).
    current = rules.cycle_start(timezone.localdate(), estate.service_settings.billing_cycle_months)
    form = PeriodForm(data if "period" in data else None, initial={"period": current})
    preview = None
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
        if request.method == "POST":
            ok, run = attempt(
                request,
                services.billing_start,
                form=form,
                estate=estate,
                period=period,
                actor=request.user,
            )
            if ok:
                run_id, actor_id = run.pk, request.user.pk
                transaction.on_commit(lambda: tasks.billing_issue.delay(run_id, actor_id))
                return redirect("fees:billing")
        else:
            ok, preview = attempt(
                request,
                services.billing_preview,
                form=form,
                estate=estate,
                period=period,
                actor=request.user,
            )
    runs = list(BillingRun.objects.filter(estate=estate)[:12])
    context = {
        "estate": estate,
        "form": form,
        "preview": preview,
        "runs": runs,
        "can_issue": may(request.user, estate, FEE_FINANCE),
        "running": any(r.status == BillingRun.Status.RUNNING for r in runs),
        "cycle": estate.service_settings.billing_cycle_months,
    }
    return render(request, "fees/billing.html", context, status=400 if form.errors else 200)
