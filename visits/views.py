"""Staff screens of the front desk: the reception log, lookup, handover, defects, lost and found,
incidents, notices, the praise list and the printable QR sheets."""

from __future__ import annotations

import functools
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from propserv import access
from propserv.access import staff_of
from propserv.models import Building
from propserv.phones import mask_phone
from propserv.roles import Role, can_see_phones, has_role
from propserv.web import current_estate, estates_for, safe_next
from tickets.services.repairs import TransitionError
from visits import complaints_bridge, rules, selectors, services
from visits import forms as f
from visits.models import Defect, Handover, Incident, LostItem, Notice, NoticeCall, Visit


def _estates(request):
    return list(estates_for(request.user).order_by("name"))


def _no_estate(request):
    messages.error(request, _("You do not work for any estate yet."))
    return HttpResponseRedirect(reverse("home"))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_errors(form) -> ValidationError:
    return ValidationError(
        [
            f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
            for k, v in form.errors.items()
        ]
    )


def _refusals_as_403(view):
    """A service's PermissionDenied becomes a 403 page that says, translated, who may do it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(
                request,
                "visits/forbidden.html",
                {"message": str(exc) or _("You may not do that.")},
                status=403,
            )

    return wrapped


def _run(request, fn, ok_message: str) -> bool:
    """Call a service; turn its refusals into a message for the user (a PermissionDenied goes
    on to _refusals_as_403)."""
    try:
        fn()
    except (services.StateError, TransitionError) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ok_message)
        return True
    return False


def _phone(request, phone: str) -> str:
    return phone if can_see_phones(request.user) else mask_phone(phone)


# --- the reception log ---------------------------------------------------------------------------


@login_required
def index(request):
    """The duty log: a quick entry at the top, my open entries, today's log of the estate."""
    estates = _estates(request)
    if not estates:
        return _no_estate(request)
    estate = current_estate(request)
    form = f.VisitForm(
        request.POST or None,
        user=request.user,
        estates=estates,
        initial={"estate": estate.code, "unit_code": request.GET.get("unit", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(number)s logged.") % {"number": visit.number})
            return HttpResponseRedirect(visit.get_absolute_url())
    today = timezone.localdate()
    log = (
        Visit.objects.for_user(request.user)
        .filter(estate=estate, received_at__date=today)
        .select_related("unit", "owner", "repair")
        .order_by("-received_at")[:100]
    )
    return render(
        request,
        "visits/index.html",
        {
            "form": form,
            "estate": estate,
            "estates": estates,
            "mine": selectors.my_open_visits(request.user),
            "open_count": selectors.open_visits(request.user, estate).count(),
            "log": log,
            "today": today,
        },
        status=400 if form.errors else 200,
    )


@login_required
def open_list(request):
    estate = current_estate(request)
    if estate is None:
        return _no_estate(request)
    return render(
        request,
        "visits/open_list.html",
        {"estate": estate, "visits": selectors.open_visits(request.user, estate)[:500]},
    )


@login_required
def detail(request, pk: int):
    visit = get_object_or_404(
        Visit.objects.for_user(request.user).select_related(
            "estate", "unit", "resident", "owner", "received_by", "repair", "pm_noted_by"
        ),
        pk=pk,
    )
    estate = visit.estate
    complaint = complaints_bridge.complaint_of(visit)
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "phone": _phone(request, visit.caller_phone),
            "events": visit.events.select_related("actor"),
            "deadlines": visit_deadlines(visit),
            "complaint": complaint,
            "complaints_available": complaints_bridge.available(),
            "defect": getattr(visit, "defect", None) if hasattr(visit, "defect") else None,
            "note_form": f.NoteForm(),
            "resolve_form": f.ResolveForm(initial={"resolution": visit.handling}),
            "callback_form": f.CallbackForm(),
            "can_transfer": services.can_transfer(request.user, visit),
            "transfer_form": f.TransferForm(staff=staff_of(estate)),
            "repair_form": f.ToRepairForm(
                estate=estate, initial={"description": visit.summary}, prefix="repair"
            ),
            "complaint_form": f.ToComplaintForm(
                initial={"description": visit.summary}, prefix="complaint"
            ),
            "defect_form": f.ToDefectForm(initial={"description": visit.summary}, prefix="defect"),
            "handover_items": visit.handover_items.select_related("handover", "from_owner"),
        },
    )


def visit_deadlines(visit):
    from propserv.models import Deadline

    now = timezone.now()
    return [(d, d.state(now)) for d in Deadline.objects.for_subject(visit).order_by("started_at")]


@login_required
@require_POST
@_refusals_as_403
def action(request, pk: int, name: str):
    visit = get_object_or_404(Visit.objects.for_user(request.user).select_related("estate"), pk=pk)
    back = visit.get_absolute_url()
    user = request.user
    if name == "note":
        form = f.NoteForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.visit_add_note(visit_id=visit.pk, actor=user, **form.cleaned_data),
                _("Note added."),
            )
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
    elif name == "resolve":
        form = f.ResolveForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.visit_resolve(visit_id=visit.pk, actor=user, **form.cleaned_data),
                _("Resolved. Call the resident back to close it."),
            )
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
    elif name == "callback":
        form = f.CallbackForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.visit_record_callback(
                    visit_id=visit.pk, actor=user, **form.cleaned_data
                ),
                _("Callback recorded; the entry is closed."),
            )
    elif name == "transfer":
        form = f.TransferForm(request.POST, staff=staff_of(visit.estate))
        if form.is_valid():
            _run(
                request,
                lambda: services.visit_transfer(visit_id=visit.pk, actor=user, **form.cleaned_data),
                _("Owner changed."),
            )
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
    elif name == "to-repair":
        form = f.ToRepairForm(request.POST, estate=visit.estate, prefix="repair")
        if form.is_valid():
            result = {}

            def convert():
                result["repair"] = services.visit_convert_to_repair(
                    visit_id=visit.pk, actor=user, **form.cleaned_data
                )

            if _run(request, convert, _("Repair created from the entry.")):
                return HttpResponseRedirect(result["repair"].get_absolute_url())
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
    elif name == "to-complaint":
        form = f.ToComplaintForm(request.POST, prefix="complaint")
        if form.is_valid():
            result = {}

            def convert():
                result["complaint"] = complaints_bridge.visit_convert_to_complaint(
                    visit_id=visit.pk, actor=user, **form.cleaned_data
                )

            if _run(request, convert, _("Complaint created from the entry.")):
                url = getattr(result["complaint"], "get_absolute_url", None)
                return HttpResponseRedirect(url() if url else back)
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
    elif name == "to-defect":
        form = f.ToDefectForm(request.POST, prefix="defect")
        if form.is_valid() and visit.unit_id is None:
            messages.error(request, _("A defect form needs the unit: add it to the entry first."))
        elif form.is_valid():
            result = {}

            def convert():
                result["defect"] = services.defect_create(
                    estate=visit.estate,
                    actor=user,
                    unit=visit.unit,
                    visit=visit,
                    **form.cleaned_data,
                )

            if _run(request, convert, _("Defect rework form created.")):
                return HttpResponseRedirect(result["defect"].get_absolute_url())
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
    elif name == "pm-noted":
        _run(
            request,
            lambda: services.visit_pm_note(visit_id=visit.pk, actor=user),
            _("Marked as read."),
        )
        return HttpResponseRedirect(safe_next(request, request.POST.get("next"), back))
    else:
        messages.error(request, _("Unknown action."))
    return HttpResponseRedirect(back)


# --- lookup --------------------------------------------------------------------------------------


@login_required
@require_GET
def lookup_json(request):
    """The type-ahead: residents matching ?q= (unit, name, phone, ticket number), as JSON."""
    q = request.GET.get("q", "")[:40]
    return JsonResponse({"results": selectors.typeahead(request.user, q)})


@login_required
def lookup(request):
    q = request.GET.get("q", "")[:40].strip()
    result = selectors.lookup(request.user, q) if q else None
    return render(request, "visits/lookup.html", {"q": q, "result": result})


@login_required
def praise_list(request):
    unread = request.GET.get("all") != "1"
    return render(
        request,
        "visits/praise.html",
        {
            "visits": selectors.praise_and_suggestions(request.user, unread_only=unread)[:200],
            "unread_only": unread,
            "can_note": has_role(request.user, Role.PROJECT_MANAGER),
        },
    )


# --- handover ------------------------------------------------------------------------------------


@login_required
def handovers(request):
    estate = current_estate(request)
    if estate is None:
        return _no_estate(request)
    staff = staff_of(estate).exclude(pk=request.user.pk)
    form = f.HandoverForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.handover_create(
                estate=estate,
                actor=request.user,
                members=list(form.cleaned_data["members"]),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Handover logged; the next shift must acknowledge it."))
            return HttpResponseRedirect(handover.get_absolute_url())
    pending_mine = services.handover_open_items(estate, [request.user])
    return render(
        request,
        "visits/handovers.html",
        {
            "estate": estate,
            "form": form,
            "pending_mine": pending_mine,
            "handovers": Handover.objects.for_user(request.user)
            .filter(estate=estate)
            .select_related("handed_by", "acknowledged_by")
            .prefetch_related("items")[:50],
        },
    )


@login_required
@_refusals_as_403
def handover_detail(request, pk: int):
    handover = get_object_or_404(
        Handover.objects.for_user(request.user).select_related(
            "estate", "handed_by", "acknowledged_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        _run(
            request,
            lambda: services.handover_acknowledge(handover_id=handover.pk, actor=request.user),
            _("Acknowledged: you now own these items."),
        )
        return HttpResponseRedirect(handover.get_absolute_url())
    from propserv.models import Deadline

    now = timezone.now()
    deadline = Deadline.objects.for_subject(handover).order_by("-started_at").first()
    return render(
        request,
        "visits/handover_detail.html",
        {
            "handover": handover,
            "items": handover.items.select_related(
                "visit", "visit__unit", "visit__owner", "from_owner"
            ),
            "members": handover.members.all(),
            "deadline": deadline,
            "state": deadline.state(now) if deadline else "",
            "is_member": handover.members.filter(pk=request.user.pk).exists(),
            "can_acknowledge": has_role(request.user, *services.DESK_ROLES),
        },
    )


# --- defects -------------------------------------------------------------------------------------


@login_required
def defects(request):
    estate = current_estate(request)
    if estate is None:
        return _no_estate(request)
    form = f.DefectForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            defect = services.defect_create(
                estate=estate,
                actor=request.user,
                unit=form.cleaned_data["unit_code"],
                location=form.cleaned_data["location"],
                description=form.cleaned_data["description"],
                developer_team=form.cleaned_data["developer_team"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Defect rework form %(n)s created.") % {"n": defect.number})
            return HttpResponseRedirect(defect.get_absolute_url())
    show = request.GET.get("show", "open")
    qs = Defect.objects.for_user(request.user).filter(estate=estate).select_related("unit")
    if show == "open":
        qs = qs.exclude(status=Defect.Status.ACCEPTED)
    return render(
        request,
        "visits/defects.html",
        {"estate": estate, "form": form, "defects": qs[:200], "show": show},
    )


DEFECT_ACTIONS = {
    "send": lambda d, u, note: services.defect_send(defect_id=d, actor=u, note=note),
    "fixed": lambda d, u, note: services.defect_report_fixed(defect_id=d, actor=u, note=note),
    "inspection-pass": lambda d, u, note: services.defect_inspect(
        defect_id=d, actor=u, passed=True, note=note
    ),
    "inspection-fail": lambda d, u, note: services.defect_inspect(
        defect_id=d, actor=u, passed=False, note=note
    ),
    "owner-accept": lambda d, u, note: services.defect_owner_review(
        defect_id=d, actor=u, accepted=True, note=note
    ),
    "owner-refuse": lambda d, u, note: services.defect_owner_review(
        defect_id=d, actor=u, accepted=False, note=note
    ),
}


@login_required
@_refusals_as_403
def defect_detail(request, pk: int):
    defect = get_object_or_404(
        Defect.objects.for_user(request.user).select_related(
            "estate", "unit", "visit", "created_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        step = request.POST.get("step", "")
        form = f.DefectStepForm(request.POST)
        if step in DEFECT_ACTIONS and form.is_valid():
            _run(
                request,
                lambda: DEFECT_ACTIONS[step](defect.pk, request.user, form.cleaned_data["note"]),
                _("%(n)s updated.") % {"n": defect.number},
            )
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(defect.get_absolute_url())
    from propserv.models import Deadline

    now = timezone.now()
    return render(
        request,
        "visits/defect_detail.html",
        {
            "defect": defect,
            "events": defect.events.select_related("actor"),
            "deadlines": [
                (d, d.state(now))
                for d in Deadline.objects.for_subject(defect).order_by("started_at")
            ],
            "step_form": f.DefectStepForm(),
        },
    )


@login_required
def defect_print(request, pk: int):
    defect = get_object_or_404(
        Defect.objects.for_user(request.user).select_related("estate", "unit", "created_by"), pk=pk
    )
    return render(request, "visits/defect_print.html", {"defect": defect})


# --- lost and found ------------------------------------------------------------------------------


@login_required
def lost_found(request):
    estate = current_estate(request)
    if estate is None:
        return _no_estate(request)
    form = f.LostItemForm(request.POST or None, initial={"found_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.lost_item_register(
                estate=estate, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(n)s registered.") % {"n": item.number})
            return HttpResponseRedirect(reverse("visits:lost-found") + f"?estate={estate.code}")
    show = request.GET.get("show", "held")
    items = LostItem.objects.for_user(request.user).filter(estate=estate)
    if show == "held":
        items = items.filter(status=LostItem.Status.HELD)
    return render(
        request,
        "visits/lost_found.html",
        {
            "estate": estate,
            "form": form,
            "items": items.select_related("recorded_by", "closed_by")[:300],
            "return_form": f.LostItemReturnForm(),
            "show": show,
            "show_phones": can_see_phones(request.user),
        },
    )


@login_required
@require_POST
@_refusals_as_403
def lost_item_action(request, pk: int, name: str):
    item = get_object_or_404(
        LostItem.objects.for_user(request.user).select_related("estate"), pk=pk
    )
    if name == "return":
        form = f.LostItemReturnForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.lost_item_return(
                    item_id=item.pk, actor=request.user, **form.cleaned_data
                ),
                _("%(n)s returned to its owner.") % {"n": item.number},
            )
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
    elif name == "dispose":
        _run(
            request,
            lambda: services.lost_item_dispose(
                item_id=item.pk, actor=request.user, note=request.POST.get("note", "")[:200]
            ),
            _("%(n)s closed.") % {"n": item.number},
        )
    return HttpResponseRedirect(reverse("visits:lost-found") + f"?estate={item.estate.code}")


# --- incidents -----------------------------------------------------------------------------------


@login_required
def incidents(request):
    estate = current_estate(request)
    if estate is None:
        return _no_estate(request)
    form = f.IncidentForm(request.POST or None, initial={"occurred_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_record(
                estate=estate, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Incident recorded; the managers have been notified."))
            return HttpResponseRedirect(incident.get_absolute_url())
    return render(
        request,
        "visits/incidents.html",
        {
            "estate": estate,
            "form": form,
            "incidents": Incident.objects.for_user(request.user)
            .filter(estate=estate)
            .select_related("recorded_by")[:200],
        },
    )


@login_required
@_refusals_as_403
def incident_detail(request, pk: int):
    incident = get_object_or_404(
        Incident.objects.for_user(request.user).select_related(
            "estate", "recorded_by", "closed_by"
        ),
        pk=pk,
    )
    form = f.IncidentCloseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            _run(
                request,
                lambda: services.incident_close(
                    incident_id=incident.pk, actor=request.user, **form.cleaned_data
                ),
                _("Incident closed."),
            )
        else:
            messages.error(request, " ".join(_form_errors(form).messages))
        return HttpResponseRedirect(incident.get_absolute_url())
    return render(
        request,
        "visits/incident_detail.html",
        {
            "incident": incident,
            "form": form,
            "can_close": has_role(request.user, *access.MANAGER_ROLES),
        },
    )


# --- notices -------------------------------------------------------------------------------------


@login_required
def notices(request):
    estate = current_estate(request)
    if estate is None:
        return _no_estate(request)
    form = f.NoticeForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(estate=estate, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Notice saved."))
            return HttpResponseRedirect(notice.get_absolute_url())
    return render(
        request,
        "visits/notices.html",
        {
            "estate": estate,
            "form": form,
            "notices": Notice.objects.for_user(request.user)
            .filter(estate=estate)
            .select_related("approved_by")[:200],
        },
    )


NOTICE_ACTIONS = {
    "approve": (services.notice_approve, gettext_lazy("Notice approved.")),
    "publish": (services.notice_publish, gettext_lazy("Notice published.")),
    "withdraw": (services.notice_withdraw, gettext_lazy("Notice withdrawn.")),
}


@login_required
@_refusals_as_403
def notice_detail(request, pk: int):
    notice = get_object_or_404(
        Notice.objects.for_user(request.user).select_related(
            "estate", "building", "created_by", "approved_by", "published_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step in NOTICE_ACTIONS:
            service, ok = NOTICE_ACTIONS[step]
            _run(request, lambda: service(notice_id=notice.pk, actor=request.user), str(ok))
        elif step == "call":
            call_id = request.POST.get("call", "")
            if not (call_id.isascii() and call_id.isdigit()):
                raise Http404
            call = get_object_or_404(NoticeCall, notice=notice, pk=int(call_id))
            form = f.NoticeCallForm(request.POST)
            if form.is_valid():
                _run(
                    request,
                    lambda: services.notice_record_call(
                        call_id=call.pk, actor=request.user, **form.cleaned_data
                    ),
                    _("Call recorded: %(unit)s.") % {"unit": call.unit.code},
                )
            else:
                messages.error(request, " ".join(_form_errors(form).messages))
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(notice.get_absolute_url())
    calls = list(notice.calls.select_related("unit", "resident", "called_by"))
    reached = sum(1 for c in calls if c.outcome == NoticeCall.Outcome.REACHED)
    from propserv.models import Deadline

    now = timezone.now()
    estate_settings = notice.estate.service_settings
    local = timezone.localtime(now)
    return render(
        request,
        "visits/notice_detail.html",
        {
            "notice": notice,
            "calls": [(c, _phone(request, c.phone)) for c in calls],
            "reached": reached,
            "rate": rules.completion_rate(reached, len(calls)),
            "call_form": f.NoticeCallForm(),
            "can_approve": has_role(request.user, Role.PROJECT_MANAGER),
            "can_publish": has_role(request.user, *services.DESK_ROLES),
            "can_withdraw": has_role(request.user, Role.SUPERVISOR, Role.PROJECT_MANAGER),
            "deadlines": [
                (d, d.state(now))
                for d in Deadline.objects.for_subject(notice).order_by("started_at")
            ],
            "too_late_to_call": not (
                estate_settings.calling_hours_start
                <= local.time()
                < estate_settings.calling_hours_end
            ),
        },
    )


# --- QR sheets -----------------------------------------------------------------------------------


@login_required
def qr_buildings(request):
    estate = current_estate(request)
    if estate is None:
        return _no_estate(request)
    return render(
        request,
        "visits/qr_buildings.html",
        {
            "estate": estate,
            "estates": _estates(request),
            "buildings": Building.objects.filter(estate=estate).order_by("code"),
        },
    )


def qr_svg(data: str) -> str:
    """An inline SVG of a QR code (our own markup from the qrcode package; no user text in it)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - qrcode's markup of our own URL


@login_required
def qr_sheet(request, pk: int):
    """A printable A4 sheet for a building's notice board: scan to report a repair."""
    building = get_object_or_404(
        Building.objects.for_user(request.user).select_related("estate"), pk=pk
    )
    url = request.build_absolute_uri(
        reverse("visits:report", args=[building.estate.code])
        + "?"
        + urlencode({"b": building.code})
    )
    return render(
        request,
        "visits/qr_sheet.html",
        {
            "building": building,
            "estate": building.estate,
            "url": url,
            "svg": qr_svg(url),
        },
    )
