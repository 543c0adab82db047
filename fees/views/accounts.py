"""A unit's account statement: charges, payments, running balance, ageing; the reminder log,
who pays (a tenant by agreement) and the changes of owner."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fees import selectors, services
from fees.forms import OwnerChangeForm, PayerForm, ReminderForm
from fees.models import Account, OwnerChange, Reminder
from fees.views.common import fees_view, unit_of
from propserv.access import may
from propserv.models import Resident
from propserv.roles import ARREARS_CHASERS, CASHIERS, FEE_MANAGERS, has_role
from propserv.web import attempt

# Who names the payer and records a change of owner (the services check the same).
ACCOUNT_KEEPERS = CASHIERS | FEE_MANAGERS


@fees_view()
def statement(request, pk):
    unit = unit_of(request, pk)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form", "reminder") if posted else ""
    keeper = may(request.user, unit.estate, ACCOUNT_KEEPERS)
    forms = {
        "reminder": ReminderForm(posted if which == "reminder" else None)
        if may(request.user, unit.estate, ARREARS_CHASERS)
        else None,
        "payer": PayerForm(posted if which == "payer" else None, unit=unit, initial=_payer(unit))
        if keeper
        else None,
        "owner": OwnerChangeForm(
            posted if which == "owner" else None, initial={"old_owner": _owner_name(unit)}
        )
        if keeper
        else None,
    }
    form = forms.get(which)
    if which and form is None:
        raise PermissionDenied
    if form is not None and form.is_valid():
        ok, done = SUBMIT[which](request, unit, form)
        if ok:
            messages.success(request, done)
            return redirect("fees:statement", unit.pk)
    data = selectors.statement(unit)
    for payment in data["payments"]:
        payment.actions = services.allowed_actions(payment, request.user)
    data["can_take"] = has_role(request.user, CASHIERS)
    data["reminder_form"] = forms["reminder"]
    data["payer_form"] = forms["payer"]
    data["owner_form"] = forms["owner"]
    data["account"] = Account.objects.filter(pk=unit.pk).select_related("payer").first()
    data["owner_changes"] = OwnerChange.objects.filter(account_id=unit.pk).select_related("by")[:10]
    data["reminders"] = Reminder.objects.filter(unit=unit).select_related("by")[:20]
    status = 400 if form is not None and form.errors else 200
    return render(request, "fees/statement.html", data, status=status)


def _payer(unit) -> dict:
    account = Account.objects.filter(pk=unit.pk).first()
    return {"payer": account.payer_id, "agreement": account.agreement} if account else {}


def _owner_name(unit) -> str:
    owner = Resident.objects.filter(unit=unit, role=Resident.Role.OWNER).order_by("pk").first()
    return owner.name if owner else ""


def _attempt_reminder(request, unit, form):
    d = form.cleaned_data
    ok, _reminder = attempt(
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
    return ok, _("Reminder logged.")


def _attempt_payer(request, unit, form):
    d = form.cleaned_data
    ok, _account = attempt(
        request,
        services.payer_set,
        form=form,
        unit=unit,
        payer=d["payer"],
        agreement=d["agreement"],
        actor=request.user,
    )
    return ok, _("Payer recorded.")


def _attempt_owner(request, unit, form):
    d = form.cleaned_data
    ok, _change = attempt(
        request,
        services.owner_change,
        form=form,
        unit=unit,
        old_owner=d["old_owner"],
        new_owner=d["new_owner"],
        decision=d["decision"],
        note=d["note"],
        actor=request.user,
    )
    return ok, _("Change of owner recorded.")


SUBMIT = {"reminder": _attempt_reminder, "payer": _attempt_payer, "owner": _attempt_owner}
