"""Notices (docs/domain.md, Notices): the list with a new notice, one notice with its approval,
publication, withdrawal and (phone notices) its call list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propserv.access import may
from propserv.phones import phone_for
from propserv.roles import RECEPTION
from propserv.web import current_estate, form_errors_to_messages
from visits import forms as f
from visits import rules, selectors
from visits.models import Notice, NoticeCall
from visits.services import notices as notice_services
from visits.views.common import no_estate, run


@login_required
def notices(request):
    estate = current_estate(request)
    if estate is None:
        return no_estate(request)
    form = f.NoticeForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        ok, notice = run(
            request,
            notice_services.notice_create,
            estate=estate,
            actor=request.user,
            form=form,
            ok_message=_("Notice saved."),
            **form.cleaned_data,
        )
        if ok:
            return HttpResponseRedirect(notice.get_absolute_url())
    return render(
        request,
        "visits/notices.html",
        {
            "estate": estate,
            "form": form,
            "can_create": may(request.user, estate, RECEPTION),
            "notices": Notice.objects.for_user(request.user)
            .filter(estate=estate)
            .select_related("approved_by")[:200],
        },
        status=400 if form.errors else 200,
    )


STEPS = {
    "approve": (notice_services.notice_approve, gettext_lazy("Notice approved.")),
    "publish": (notice_services.notice_publish, gettext_lazy("Notice published.")),
    "withdraw": (notice_services.notice_withdraw, gettext_lazy("Notice withdrawn.")),
}


def _record_call(request, notice: Notice) -> None:
    call_id = request.POST.get("call", "")
    if not (call_id.isascii() and call_id.isdigit()):
        raise Http404
    call = get_object_or_404(
        NoticeCall.objects.select_related("unit"), notice=notice, pk=int(call_id)
    )
    form = f.NoticeCallForm(request.POST)
    if form.is_valid():
        run(
            request,
            notice_services.notice_record_call,
            call_id=call.pk,
            actor=request.user,
            ok_message=_("Call recorded: %(unit)s.") % {"unit": call.unit.code},
            **form.cleaned_data,
        )
    else:
        form_errors_to_messages(request, form)


@login_required
def notice_detail(request, pk: int):
    notice = get_object_or_404(
        Notice.objects.for_user(request.user).select_related(
            "estate", "building", "created_by", "approved_by", "published_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step in STEPS:
            service, ok_message = STEPS[step]
            run(request, service, notice_id=notice.pk, actor=request.user, ok_message=ok_message)
        elif step == "call":
            _record_call(request, notice)
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(notice.get_absolute_url())
    calls = list(notice.calls.select_related("unit", "resident", "called_by"))
    reached = sum(1 for c in calls if c.outcome == NoticeCall.Outcome.REACHED)
    estate_settings = notice.estate.service_settings
    local = timezone.localtime()
    return render(
        request,
        "visits/notice_detail.html",
        {
            "notice": notice,
            "calls": [(c, phone_for(request.user, c.phone)) for c in calls],
            "reached": reached,
            "rate": rules.completion_rate(reached, len(calls)),
            "call_form": f.NoticeCallForm(),
            "actions": notice_services.allowed_actions(notice, request.user),
            "deadlines": selectors.deadlines_of(notice),
            "too_late_to_call": not (
                estate_settings.calling_hours_start
                <= local.time()
                < estate_settings.calling_hours_end
            ),
        },
    )
