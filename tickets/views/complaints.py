"""Staff screens for complaints: intake, list, detail with its timeline, my complaints and the
reply letter (HTML print view and PDF) — docs/domain.md, Complaints. Pages offer only what
`allowed_actions` says the service would accept; a refusal comes back through
propserv.web.attempt with what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propserv.deadlines import policy_for
from propserv.documents import document_response
from propserv.phones import phone_for
from propserv.roles import Role
from propserv.web import attempt, current_estate
from tickets.forms import callbacks as cbf
from tickets.forms import complaints as cf
from tickets.forms import lists as lf
from tickets.letters import reply_letter
from tickets.reports import lists as list_exports
from tickets.rules import complaints as crules
from tickets.selectors import complaints as selectors
from tickets.selectors import lists as list_selectors
from tickets.services import complaints as services
from tickets.views import lists
from tickets.views.common import attempt_on_page


@login_required
def complaint_list(request):
    """Without filters: the open complaints of the current estate, as always. With any filter
    (the dashboard's links): every complaint of the user's estates that matches, paged, with
    XLSX and CSV downloads of the same rows (docs/domain.md, Dashboards)."""
    lists.check_list_roles(request)
    now = timezone.now()
    params = lists.filter_params(request)
    if set(params) - {"estate"}:
        form = lf.ComplaintListForm(params, user=request.user)
        filters = lists.bound_filters(request, form)
        estate = filters.get("estate")
    else:  # the usual view: one estate's open complaints
        estate = lf.ComplaintListForm(params, user=request.user).filters().get(
            "estate"
        ) or current_estate(request)
        filters = {"estate": estate, "status": "open"}
        form = lf.ComplaintListForm(
            user=request.user, initial={"estate": estate.pk if estate else "", "status": "open"}
        )
    queryset = list_selectors.complaint_list(request.user, filters, now)
    estate_ids = list_selectors.estate_ids_in(request.user, filters)
    fmt = lists.wanted_format(request)
    if fmt:
        return list_exports.complaints_response(queryset, fmt=fmt, now=now, estate_ids=estate_ids)
    context = lists.list_context(request, form, queryset, now, estate_ids, "reply_verdict")
    page = context["page"]
    prefetch_related_objects(page["rows"], "deadlines")
    page["rows"] = selectors.deadline_rows(page["rows"], now)
    return render(
        request,
        "tickets/complaints/list.html",
        {
            **context,
            "rows": page["rows"],
            "list_estate": estate,
            "estate": estate or current_estate(request),
            "now": now,
        },
    )


@login_required
def my_complaints(request):
    now = timezone.now()
    return render(
        request,
        "tickets/complaints/mine.html",
        {
            "rows": selectors.my_rows(request.user, now),
            "second_handlings": selectors.my_second_handlings(request.user),
            "now": now,
            "second_form": cbf.SecondHandlingForm(),
        },
    )


@login_required
def complaint_new(request):
    estate = current_estate(request)
    if estate is None:
        messages.error(request, _("You do not work for any estate yet."))
        return HttpResponseRedirect(reverse("home"))
    form = cf.ComplaintForm(
        request.POST or None, estate=estate, initial={"unit_code": request.GET.get("unit", "")}
    )
    if request.method == "POST" and form.is_valid():
        ok, complaint = attempt(
            request,
            services.complaint_create,
            form=form,
            estate=estate,
            actor=request.user,
            **form.service_kwargs(),
        )
        if ok:
            messages.success(
                request,
                _("Complaint %(number)s logged. Proposed grade: %(grade)s.")
                % {"number": complaint.number, "grade": complaint.get_proposed_grade_display()},
            )
            return HttpResponseRedirect(complaint.get_absolute_url())
    return render(
        request,
        "tickets/complaints/form.html",
        {"form": form, "estate": estate},
        status=400 if form.errors else 200,
    )


def _detail(request, pk: int, *, bound=None, status: int = 200):
    """The detail page; `bound` is {action: form} of a refused post, shown with what was typed."""
    complaint = get_object_or_404(
        selectors.complaints_for(request.user).prefetch_related(
            "events__actor", "deadlines", "replies__replied_by", "extensions__approved_by"
        ),
        pk=pk,
    )
    now = timezone.now()
    deadlines = sorted(complaint.deadlines.all(), key=lambda d: (d.started_at, d.pk))
    grade = complaint.grade
    forms = {
        "grade_form": cf.GradeForm(
            initial={"grade": grade or complaint.proposed_grade, "referred_to": ""},
            grades=services.grades_allowed(complaint, request.user),
        ),
        "report_form": cf.ReportUpForm(
            initial={"reported_to": list(crules.REPORT_TO.get(grade, ()))}
        ),
        "reply_form": cf.ReplyForm(initial={"channel": "letter" if complaint.written else "phone"}),
        "handle_form": cf.HandleForm(),
        "extend_form": cf.ExtendForm(),
        "owner_form": cf.OwnerForm(estate=complaint.estate),
    }
    for action, form in (bound or {}).items():
        forms[f"{action}_form"] = form
    actions = services.allowed_actions(complaint, request.user)
    return render(
        request,
        "tickets/complaints/detail.html",
        {
            "complaint": complaint,
            "deadlines": [(d, d.state(now), policy_for(d.kind).label) for d in deadlines],
            "events": complaint.events.all(),
            "now": now,
            "phone": phone_for(request.user, complaint.complainant_phone),
            "proposal_reasons": [crules.REASON_LABELS[r] for r in complaint.proposed_reasons],
            "callbacks": complaint.callbacks.select_related(
                "assigned_to", "second_caller"
            ).order_by("created_at"),
            "second_handlings": complaint.second_handlings.select_related(
                "area_admin", "department_head"
            ),
            "actions": actions,
            "can_extend": "extend" in actions,
            "report_to": [Role(r).label for r in crules.REPORT_TO.get(grade, ())],
            "reported_to_labels": [Role(r).label for r in complaint.reported_to],
            "second_form": cbf.SecondHandlingForm(),
            **forms,
        },
        status=status,
    )


@login_required
def complaint_detail(request, pk: int):
    return _detail(request, pk)


FORMS = {
    "grade": cf.GradeForm,
    "report": cf.ReportUpForm,
    "reply": cf.ReplyForm,
    "handle": cf.HandleForm,
    "extend": cf.ExtendForm,
    "owner": cf.OwnerForm,
}
# What each action says when it is done: one message per action (issue 12, item 4).
DONE = {
    "grade": gettext_lazy("%(number)s: grade recorded."),
    "report": gettext_lazy("%(number)s: report-up recorded."),
    "reply": gettext_lazy("%(number)s: reply recorded."),
    "handle": gettext_lazy("%(number)s: marked handled."),
    "extend": gettext_lazy("%(number)s: handling deadline extended."),
    "owner": gettext_lazy("%(number)s: handed over to the new owner."),
}
SERVICES = {
    "grade": services.complaint_grade,
    "report": services.complaint_report_up,
    "reply": services.complaint_reply,
    "handle": services.complaint_mark_handled,
    "extend": services.complaint_extend,
    "owner": services.complaint_assign_owner,
}


@login_required
@require_POST
def complaint_action(request, pk: int, action: str):
    complaint = get_object_or_404(selectors.complaints_for(request.user), pk=pk)
    back = complaint.get_absolute_url()
    if action not in FORMS:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(back)
    form_class = FORMS[action]
    form = (
        form_class(request.POST, estate=complaint.estate)
        if form_class is cf.OwnerForm
        else form_class(request.POST)
    )
    # A refusal stays on the page: the error beside its field, what was typed kept.
    if not form.is_valid():
        return _detail(request, complaint.pk, bound={action: form})
    ok, result = attempt_on_page(
        request,
        SERVICES[action],
        form=form,
        complaint_id=complaint.pk,
        actor=request.user,
        **form.cleaned_data,
    )
    if not ok:
        return _detail(request, complaint.pk, bound={action: form})
    if action == "reply" and complaint.written and not result.written:
        messages.warning(
            request,
            _("A written complaint needs a written reply: the reply clock keeps running."),
        )
    messages.success(request, DONE[action] % {"number": complaint.number})
    return HttpResponseRedirect(back)


@login_required
def complaint_letter(request, pk: int, reply_pk: int):
    """The reply as a letter on the estate's letterhead: the print view, or ?format=pdf."""
    complaint = get_object_or_404(selectors.complaints_for(request.user), pk=pk)
    reply = get_object_or_404(complaint.replies.select_related("replied_by"), pk=reply_pk)
    if request.GET.get("format") == "pdf":
        return document_response(request, reply_letter(complaint, reply), fmt="pdf")
    return render(
        request,
        "tickets/complaints/letter.html",
        {"complaint": complaint, "reply": reply, "estate": complaint.estate},
    )
