"""Staff screens for complaints and callbacks: intake, list, detail with timeline, my complaints,
the printable reply letter, the callback queue, the monthly summary and the repeat list."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propserv.deadlines import policy_for
from propserv.models import Deadline
from propserv.phones import mask_phone
from propserv.roles import Role, can_see_phones, is_manager, user_roles
from propserv.web import current_estate, safe_next
from tickets import complaint_forms as cf
from tickets import complaint_rules as crules
from tickets import reports
from tickets import rules as repair_rules
from tickets.forms import CallbackForm
from tickets.models import Callback, Complaint, MonthlyComplaintReport, Repair, SecondHandling
from tickets.services import callbacks as callback_services
from tickets.services import complaints as services
from tickets.views import _add_errors

ACTION_LABELS = {
    "created": gettext_lazy("received"),
    "graded": gettext_lazy("graded"),
    "regraded": gettext_lazy("regraded"),
    "auto_upgraded": gettext_lazy("upgraded to major automatically"),
    "reported_up": gettext_lazy("reported up"),
    "replied": gettext_lazy("replied"),
    "handled": gettext_lazy("handled"),
    "extended": gettext_lazy("handling time extended"),
    "owner": gettext_lazy("owner changed"),
    "repeat": gettext_lazy("repeat complaint"),
    "callback_due": gettext_lazy("callback due"),
    "callback_assigned": gettext_lazy("callers changed"),
    "callback_attempt": gettext_lazy("call attempt"),
    "called_back": gettext_lazy("called back"),
    "reopened": gettext_lazy("reopened"),
    "closed": gettext_lazy("closed"),
    "second_handling": gettext_lazy("second handling assigned"),
    "second_handling_done": gettext_lazy("handled again"),
}


def _complaints(request):
    return Complaint.objects.for_user(request.user).select_related(
        "estate", "unit", "owner", "graded_by"
    )


def _phone(request, number: str) -> str:
    return number if can_see_phones(request.user) else mask_phone(number)


def _open_deadline_rows(items, now):
    """(first open deadline, state) of each prefetched complaint."""
    rows = []
    for complaint in items:
        open_ = sorted((d for d in complaint.deadlines.all() if d.is_open), key=lambda d: d.due_at)
        current = open_[0] if open_ else None
        rows.append(
            {
                "complaint": complaint,
                "deadline": current,
                "deadline_label": policy_for(current.kind).label if current else "",
                "state": current.state(now) if current else "none",
                "provisional": any(d.provisional for d in open_),
            }
        )
    return rows


def _deadline_filter(qs, state: str, now):
    open_ = Deadline.objects.filter(
        complaint=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True
    )
    if state == "overdue":
        return qs.filter(Exists(open_.filter(due_at__lte=now)))
    if state == "due_soon":
        return qs.filter(Exists(open_.filter(due_at__gt=now, warn_at__lte=now)))
    if state == "on_time":
        return qs.exclude(Exists(open_.filter(Q(due_at__lte=now) | Q(warn_at__lte=now))))
    if state == "provisional":
        return qs.filter(Exists(open_.filter(provisional=True)))
    return qs


@login_required
def complaint_list(request):
    estate = current_estate(request)
    now = timezone.now()
    form = cf.FilterForm(request.GET or None)
    qs = _complaints(request).filter(estate=estate) if estate else Complaint.objects.none()
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "")
    if not status:
        qs = qs.open()
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("grade") == "none":
        qs = qs.filter(grade="")
    elif data.get("grade"):
        qs = qs.filter(grade=data["grade"])
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("repeat"):
        qs = qs.filter(repeat_flagged=True)
    qs = _deadline_filter(qs, data.get("deadline", ""), now)
    items = list(qs.prefetch_related("deadlines")[:200])
    return render(
        request,
        "tickets/complaints/list.html",
        {"rows": _open_deadline_rows(items, now), "form": form, "estate": estate, "now": now},
    )


@login_required
def my_complaints(request):
    now = timezone.now()
    items = list(
        _complaints(request)
        .filter(owner=request.user)
        .open()
        .prefetch_related("deadlines")
        .order_by("received_at")
    )
    seconds = (
        SecondHandling.objects.for_user(request.user)
        .filter(Q(area_admin=request.user) | Q(department_head=request.user), done_at__isnull=True)
        .select_related("repair", "complaint", "area_admin", "department_head")
    )
    return render(
        request,
        "tickets/complaints/mine.html",
        {
            "rows": _open_deadline_rows(items, now),
            "second_handlings": seconds,
            "now": now,
            "second_form": cf.SecondHandlingForm(),
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
        try:
            complaint = services.complaint_create(
                estate=estate, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
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


@login_required
def complaint_detail(request, pk: int):
    complaint = get_object_or_404(
        _complaints(request).prefetch_related(
            "events__actor", "deadlines", "replies__replied_by", "extensions__approved_by"
        ),
        pk=pk,
    )
    now = timezone.now()
    deadlines = sorted(complaint.deadlines.all(), key=lambda d: (d.started_at, d.pk))
    roles = user_roles(request.user)
    grade = complaint.grade
    callbacks = complaint.callbacks.select_related("assigned_to", "second_caller").order_by(
        "created_at"
    )
    return render(
        request,
        "tickets/complaints/detail.html",
        {
            "complaint": complaint,
            "deadlines": [(d, d.state(now), policy_for(d.kind).label) for d in deadlines],
            "events": [(e, ACTION_LABELS.get(e.action, e.action)) for e in complaint.events.all()],
            "now": now,
            "phone": _phone(request, complaint.complainant_phone),
            "proposal_reasons": [crules.REASON_LABELS[r] for r in complaint.proposed_reasons],
            "callbacks": callbacks,
            "second_handlings": complaint.second_handlings.select_related(
                "area_admin", "department_head"
            ),
            "can_extend": bool(grade)
            and crules.may_extend(grade, roles, request.user.is_superuser),
            "report_to": [Role(r).label for r in crules.REPORT_TO.get(grade, ())],
            "reported_to_labels": [Role(r).label for r in complaint.reported_to],
            "grade_form": cf.GradeForm(
                initial={"grade": grade or complaint.proposed_grade, "referred_to": ""},
                grades=services.grades_allowed(complaint, request.user),
            ),
            "report_form": cf.ReportUpForm(
                initial={"reported_to": list(crules.REPORT_TO.get(grade, ()))}
            ),
            "reply_form": cf.ReplyForm(
                initial={"channel": "letter" if complaint.written else "phone"}
            ),
            "handle_form": cf.HandleForm(),
            "extend_form": cf.ExtendForm(),
            "owner_form": cf.OwnerForm(estate=complaint.estate),
            "second_form": cf.SecondHandlingForm(),
        },
    )


COMPLAINT_ACTIONS = {
    "grade": cf.GradeForm,
    "report": cf.ReportUpForm,
    "reply": cf.ReplyForm,
    "handle": cf.HandleForm,
    "extend": cf.ExtendForm,
    "owner": cf.OwnerForm,
}


def _form_errors(form) -> ValidationError:
    return ValidationError(
        [
            f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
            for k, v in form.errors.items()
        ]
    )


@login_required
@require_POST
def complaint_action(request, pk: int, action: str):
    complaint = get_object_or_404(_complaints(request), pk=pk)
    back = complaint.get_absolute_url()
    if action not in COMPLAINT_ACTIONS:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(back)
    form_class = COMPLAINT_ACTIONS[action]
    form = (
        form_class(request.POST, estate=complaint.estate)
        if form_class is cf.OwnerForm
        else form_class(request.POST)
    )
    try:
        if not form.is_valid():
            raise _form_errors(form)
        d = form.cleaned_data
        common = {"complaint_id": complaint.pk, "actor": request.user}
        if action == "grade":
            services.complaint_grade(
                **common,
                grade=d["grade"],
                reason=d["reason"],
                invalid_reason=d["invalid_reason"],
                referred_to=d["referred_to"],
            )
        elif action == "report":
            services.complaint_report_up(**common, reported_to=d["reported_to"], note=d["note"])
        elif action == "reply":
            reply = services.complaint_reply(**common, channel=d["channel"], text=d["text"])
            if complaint.written and not reply.written:
                messages.warning(
                    request,
                    _("A written complaint needs a written reply: the reply clock keeps running."),
                )
        elif action == "handle":
            services.complaint_mark_handled(**common, outcome=d["outcome"])
        elif action == "extend":
            services.complaint_extend(**common, new_due_at=d["new_due_at"], reason=d["reason"])
        elif action == "owner":
            services.complaint_assign_owner(**common, owner=d["owner"])
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(number)s: done.") % {"number": complaint.number})
    return HttpResponseRedirect(back)


@login_required
def complaint_letter(request, pk: int, reply_pk: int):
    """The reply as a letter on the estate's letterhead, for printing (Ctrl+P / Save as PDF)."""
    complaint = get_object_or_404(_complaints(request), pk=pk)
    reply = get_object_or_404(complaint.replies.select_related("replied_by"), pk=reply_pk)
    return render(
        request,
        "tickets/complaints/letter.html",
        {"complaint": complaint, "reply": reply, "estate": complaint.estate},
    )


# --- callbacks ---------------------------------------------------------------------------------------


def _callback_rows(callbacks, estate, now):
    """Each pending callback with its clock state and the calling-hours advice."""
    settings_row = estate.service_settings
    kinds = {
        "repair": ContentType.objects.get_for_model(Repair),
        "complaint": ContentType.objects.get_for_model(Complaint),
    }
    repeats = reports.repeat_repair_counts(
        estate,
        {(cb.repair.unit_id, cb.repair.category_id) for cb in callbacks if cb.repair_id},
        since=now - dt.timedelta(days=settings_row.repeat_window_days),
    )
    deadlines = {
        (d.content_type_id, d.object_id): d
        for d in Deadline.objects.open().filter(
            estate=estate, kind__in=[repair_rules.CALLBACK, crules.CALLBACK]
        )
    }
    rows = []
    for cb in callbacks:
        ticket = cb.ticket
        deadline = deadlines.get((kinds[cb.kind].pk, ticket.pk))
        due_at = deadline.due_at if deadline else cb.due_at
        rows.append(
            {
                "callback": cb,
                "ticket": ticket,
                "due_at": due_at,
                "state": deadline.state(now) if deadline else ("red" if due_at <= now else "green"),
                "advice": cb.call_advice(now, due_at=due_at, settings_row=settings_row),
                "resident": cb.resident,
                "repeat_count": repeats.get((ticket.unit_id, ticket.category_id), 0)
                if cb.repair_id
                else (ticket.repeat_count if ticket.repeat_flagged else 0),
            }
        )
    return rows


@login_required
def callback_queue(request):
    estate = current_estate(request)
    now = timezone.now()
    mine = request.GET.get("mine") == "1"
    callbacks = (
        Callback.objects.for_user(request.user)
        .filter(estate=estate)
        .pending()
        .select_related(
            "repair__unit",
            "repair__category",
            "repair__reporter",
            "complaint__unit",
            "complaint__complainant",
            "assigned_to",
            "second_caller",
        )
        .prefetch_related("attempts")
        .order_by("due_at", "pk")
        if estate
        else Callback.objects.none()
    )
    if mine:
        callbacks = callbacks.for_caller(request.user)
    rows = _callback_rows(list(callbacks[:300]), estate, now) if estate else []
    for row in rows:
        row["phone"] = _phone(request, row["callback"].phone)
    seconds = (
        SecondHandling.objects.for_user(request.user)
        .filter(estate=estate, done_at__isnull=True)
        .select_related("repair", "complaint", "area_admin", "department_head")
        if estate
        else []
    )
    settings_row = estate.service_settings if estate else None
    return render(
        request,
        "tickets/callbacks/queue.html",
        {
            "rows": rows,
            "estate": estate,
            "now": now,
            "mine": mine,
            "settings_row": settings_row,
            "second_handlings": seconds,
            "second_form": cf.SecondHandlingForm(),
        },
    )


@login_required
def callback_detail(request, pk: int):
    callback = get_object_or_404(
        Callback.objects.for_user(request.user).select_related(
            "estate", "repair", "complaint", "assigned_to", "second_caller", "completed_by"
        ),
        pk=pk,
    )
    now = timezone.now()
    row = _callback_rows([callback], callback.estate, now)[0]
    return render(
        request,
        "tickets/callbacks/detail.html",
        {
            "callback": callback,
            "row": row,
            "phone": _phone(request, callback.phone),
            "attempts": callback.attempts.select_related("actor"),
            "attempt_form": cf.AttemptForm(),
            "outcome_form": CallbackForm(),
            "assign_form": cf.AssignCallersForm(
                estate=callback.estate,
                initial={
                    "assigned_to": callback.assigned_to_id,
                    "second_caller": callback.second_caller_id,
                },
            ),
            "settings_row": callback.estate.service_settings,
        },
    )


@login_required
@require_POST
def callback_action(request, pk: int, action: str):
    callback = get_object_or_404(Callback.objects.for_user(request.user), pk=pk)
    back = safe_next(request, request.POST.get("next"), callback.get_absolute_url())
    forms_ = {
        "attempt": cf.AttemptForm,
        "complete": CallbackForm,
        "assign": cf.AssignCallersForm,
    }
    if action not in forms_:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(back)
    form_class = forms_[action]
    form = (
        form_class(request.POST, estate=callback.estate)
        if form_class is cf.AssignCallersForm
        else form_class(request.POST)
    )
    try:
        if not form.is_valid():
            raise _form_errors(form)
        d = form.cleaned_data
        if action == "attempt":
            callback_services.callback_record_attempt(
                callback_id=callback.pk, outcome=d["outcome"], note=d["note"], actor=request.user
            )
        elif action == "complete":
            callback_services.callback_complete(callback_id=callback.pk, actor=request.user, **d)
        else:
            callback_services.callback_assign(
                callback_id=callback.pk,
                assigned_to=d["assigned_to"],
                second_caller=d["second_caller"],
                actor=request.user,
            )
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if action == "complete":
            callback.refresh_from_db()
            if callback.dissatisfied:
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
    form = cf.SecondHandlingForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_errors(form)
        callback_services.second_handling_finish(
            second_handling_id=second.pk, outcome=form.cleaned_data["outcome"], actor=request.user
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Second handling recorded."))
    return HttpResponseRedirect(back)


# --- managers: monthly summary and repeats -------------------------------------------------------


def _require_manager(request):
    if not (is_manager(request.user) or request.user.is_superuser):
        raise PermissionDenied


@login_required
def complaint_report(request):
    """This month's summary (live until filed, then as filed), with XLSX and CSV downloads."""
    _require_manager(request)
    estate = current_estate(request)
    if estate is None:
        raise PermissionDenied
    now = timezone.now()
    month = reports.parse_month(
        request.GET.get("month") or request.POST.get("month"), timezone.localdate()
    )
    if request.method == "POST":
        try:
            report, created = reports.file_report(estate, month, actor=request.user, now=now)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(
                f"{reverse('tickets:complaint-report')}?estate={estate.code}&month={month:%Y-%m}"
            )
        messages.success(
            request,
            _("The summary for %(month)s is filed.") % {"month": month.strftime("%Y-%m")}
            if created
            else _("The summary for %(month)s was already filed.")
            % {"month": month.strftime("%Y-%m")},
        )
        return HttpResponseRedirect(
            f"{reverse('tickets:complaint-report')}?estate={estate.code}&month={month:%Y-%m}"
        )
    filed = MonthlyComplaintReport.objects.filter(estate=estate, month=month).first()
    live = request.GET.get("live") == "1" or filed is None
    data = reports.build_summary(estate, month, now) if live else filed.data
    fmt = request.GET.get("format")
    filename = f"complaints-{estate.code}-{month:%Y-%m}"
    if fmt == "xlsx":
        response = HttpResponse(
            reports.to_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "csv":
        response = HttpResponse(reports.to_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    labels = dict(Complaint.Category.choices)
    return render(
        request,
        "tickets/complaints/report.html",
        {
            "estate": estate,
            "data": data,
            "month": month,
            "filed": filed,
            "can_file": now
            >= reports.report_period(month, estate.service_settings.monthly_report_day)[1],
            "live": live,
            "title": reports.title(data),
            "period": reports.period_label(data),
            "indicators": reports.indicator_rows(data),
            "grade_headings": reports.grade_headings(),
            "matrix": reports.matrix_rows(data),
            "repeat_complaints": [
                {**r, "category_label": labels[r["category"]]} for r in data["repeat_complaints"]
            ],
            "previous": reports.previous_month(month),
            "next": (month + dt.timedelta(days=32)).replace(day=1),
        },
    )


@login_required
def repeats(request):
    """Repeat complaints and repeat repairs within the rolling window, for managers."""
    _require_manager(request)
    estate = current_estate(request)
    if estate is None:
        raise PermissionDenied
    now = timezone.now()
    settings_row = estate.service_settings
    start = now - dt.timedelta(days=settings_row.repeat_window_days)
    labels = dict(Complaint.Category.choices)
    return render(
        request,
        "tickets/complaints/repeats.html",
        {
            "estate": estate,
            "settings_row": settings_row,
            "complaints": [
                {**r, "category_label": labels[r["category"]]}
                for r in reports.repeat_complaints(estate, start, now)
            ],
            "repairs": [
                {**r, "links": list(zip(r["ids"], r["numbers"], strict=True))}
                for r in reports.repeat_repairs(
                    estate, start, now, settings_row.repeat_repair_count
                )
            ],
        },
    )
