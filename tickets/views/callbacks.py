"""Staff screens for callbacks: the queue, one callback with its attempts, and the second
handling after a dissatisfied callback (docs/domain.md, Callbacks). Pages offer only what
`allowed_actions` says the service would accept; a refusal comes back through
propserv.web.attempt with what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.phones import phone_for
from propserv.roles import OFFICE, has_role
from propserv.web import attempt, current_estate, form_errors_to_messages, safe_next
from tickets.forms import callbacks as cbf
from tickets.models import Callback, SecondHandling
from tickets.selectors import callbacks as selectors
from tickets.services import callbacks as services
from tickets.services import queue, second_handlings
from tickets.views.common import attempt_on_page


@login_required
def callback_queue(request):
    estate = current_estate(request)
    now = timezone.now()
    mine = request.GET.get("mine") == "1"
    return render(
        request,
        "tickets/callbacks/queue.html",
        {
            "rows": selectors.queue_rows(request.user, estate, now, mine=mine),
            "estate": estate,
            "now": now,
            "mine": mine,
            "settings_row": estate.service_settings if estate else None,
            "second_handlings": selectors.open_second_handlings(request.user, estate),
            "second_form": cbf.SecondHandlingForm(),
            "may_routine": has_role(request.user, OFFICE),
        },
    )


def _detail(request, pk: int, *, bound=None, status: int = 200):
    callback = get_object_or_404(
        selectors.callbacks_for(request.user).select_related(
            "estate",
            "repair",
            "complaint",
            "unit",
            "contact",
            "followup_repair",
            "assigned_to",
            "second_caller",
            "completed_by",
        ),
        pk=pk,
    )
    now = timezone.now()
    forms = {
        "attempt_form": cbf.AttemptForm(),
        "complete_form": cbf.CallbackForm(),
        "assign_form": cbf.AssignCallersForm(
            estate=callback.estate,
            initial={
                "assigned_to": callback.assigned_to_id,
                "second_caller": callback.second_caller_id,
            },
        ),
    }
    for action, form in (bound or {}).items():
        forms[f"{action}_form"] = form
    return render(
        request,
        "tickets/callbacks/detail.html",
        {
            "callback": callback,
            "row": selectors.rows([callback], callback.estate, now, request.user)[0],
            "phone": phone_for(request.user, callback.phone),
            "attempts": callback.attempts.select_related("actor"),
            "actions": services.allowed_actions(callback, request.user),
            "outcome_form": forms.pop("complete_form"),
            "settings_row": callback.estate.service_settings,
            **forms,
        },
        status=status,
    )


@login_required
def callback_detail(request, pk: int):
    return _detail(request, pk)


FORMS = {
    "attempt": cbf.AttemptForm,
    "complete": cbf.CallbackForm,
    "assign": cbf.AssignCallersForm,
}
SERVICES = {
    "attempt": services.callback_record_attempt,
    "complete": queue.callback_complete,
    "assign": services.callback_assign,
}


@login_required
@require_POST
def callback_action(request, pk: int, action: str):
    callback = get_object_or_404(Callback.objects.for_user(request.user), pk=pk)
    back = safe_next(request, request.POST.get("next"), callback.get_absolute_url())
    if action not in FORMS:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(back)
    form_class = FORMS[action]
    form = (
        form_class(request.POST, estate=callback.estate)
        if form_class is cbf.AssignCallersForm
        else form_class(request.POST)
    )
    # A refusal stays on the page: the error beside its field, what was typed kept.
    if not form.is_valid():
        return _detail(request, callback.pk, bound={action: form})
    ok, _result = attempt_on_page(
        request,
        SERVICES[action],
        form=form,
        callback_id=callback.pk,
        actor=request.user,
        **form.cleaned_data,
    )
    if not ok:
        return _detail(request, callback.pk, bound={action: form})
    if action == "complete":
        callback.refresh_from_db()
        if callback.dissatisfied and callback.is_routine:
            messages.warning(
                request, _("Dissatisfied: the supervisors are told so that someone follows it up.")
            )
        elif callback.dissatisfied:
            messages.warning(
                request,
                _(
                    "Dissatisfied: %(number)s is reopened and assigned to the area "
                    "administrator and the department head for a second handling."
                )
                % {"number": callback.ticket.number},
            )
        else:
            messages.success(request, _("Callback recorded."))
    else:
        messages.success(request, _("Saved."))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def second_handling_done(request, pk: int):
    second = get_object_or_404(SecondHandling.objects.for_user(request.user), pk=pk)
    back = safe_next(request, request.POST.get("next"), reverse("tickets:callback-queue"))
    form = cbf.SecondHandlingForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return HttpResponseRedirect(back)
    ok, _result = attempt(
        request,
        second_handlings.second_handling_finish,
        second_handling_id=second.pk,
        outcome=form.cleaned_data["outcome"],
        actor=request.user,
    )
    if ok:
        messages.success(request, _("Second handling recorded."))
    return HttpResponseRedirect(back)
