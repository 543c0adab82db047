"""A unit's account statement: charges, payments, running balance, ageing; the reminder log."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fees import selectors, services
from fees.forms import ReminderForm
from fees.models import Reminder
from fees.views.common import fees_view, unit_of
from propserv.access import may
from propserv.roles import ARREARS_CHASERS, CASHIERS, has_role
from propserv.web import attempt


@fees_view()
def statement(request, pk):
    unit = unit_of(request, pk)
    can_remind = may(request.user, unit.estate, ARREARS_CHASERS)
    form = ReminderForm(request.POST or None) if can_remind else None
    if form is not None and request.method == "POST" and form.is_valid():
        ok, _reminder = _attempt_reminder(request, unit, form)
        if ok:
            messages.success(request, _("Reminder logged."))
            return redirect("fees:statement", unit.pk)
    data = selectors.statement(unit)
    for payment in data["payments"]:
        payment.actions = services.allowed_actions(payment, request.user)
    data["can_take"] = has_role(request.user, CASHIERS)
    data["reminder_form"] = form
    data["reminders"] = Reminder.objects.filter(unit=unit).select_related("by")[:20]
    status = 400 if form is not None and form.errors else 200
    return render(request, "fees/statement.html", data, status=status)


def _attempt_reminder(request, unit, form):
    d = form.cleaned_data
    return attempt(
        request,
        services.reminder_log,
        form=form,
        unit=unit,
        way=d["way"],
        outcome=d["outcome"],
        next_step=d["next_step"],
        next_on=d["next_on"],
        actor=request.user,
    )
