"""The reception log (docs/domain.md, Reception): the duty log with its quick entry, the open
entries, one entry with its next steps, and the project manager's praise list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.access import staff_of
from propserv.phones import phone_for
from propserv.roles import PRAISE_READERS, RECEPTION, has_role
from propserv.web import attempt, current_estate, form_errors_to_messages, safe_next
from visits import forms as f
from visits import selectors
from visits.models import Visit
from visits.services import complaints as complaint_services
from visits.services import defects as defect_services
from visits.services import first_contact, reception
from visits.views.common import no_estate, run, user_estates


@login_required
def index(request):
    """The duty log: a quick entry at the top, my open entries, today's log of the estate."""
    estates = user_estates(request)
    if not estates:
        return no_estate(request)
    estate = current_estate(request)
    form = f.VisitForm(
        request.POST or None,
        user=request.user,
        estates=estates,
        initial={"estate": estate.code, "unit_code": request.GET.get("unit", "")},
    )
    if request.method == "POST" and form.is_valid():
        ok, visit = attempt(
            request,
            reception.visit_create,
            actor=request.user,
            form=form,
            **form.service_kwargs(),
        )
        if ok:
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
            "unowned": selectors.unowned_visits(request.user, estate)[:50],
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
        return no_estate(request)
    return render(
        request,
        "visits/open_list.html",
        {"estate": estate, "visits": selectors.open_visits(request.user, estate)[:500]},
    )


def _visit_of(request, pk: int) -> Visit:
    return get_object_or_404(
        Visit.objects.for_user(request.user).select_related(
            "estate", "unit", "resident", "owner", "received_by", "repair", "pm_noted_by"
        ),
        pk=pk,
    )


def _blank_forms(visit: Visit) -> dict:
    return {
        "note": f.NoteForm(),
        "resolve": f.ResolveForm(initial={"resolution": visit.handling}),
        "callback": f.CallbackForm(),
        "transfer": f.TransferForm(staff=staff_of(visit.estate, RECEPTION)),
        "to-repair": f.ToRepairForm(
            estate=visit.estate, initial={"description": visit.summary}, prefix="repair"
        ),
        "to-complaint": f.ToComplaintForm(
            initial={"description": visit.summary}, prefix="complaint"
        ),
        "to-defect": f.ToDefectForm(initial={"description": visit.summary}, prefix="defect"),
    }


def _render_detail(request, visit: Visit, *, bound=None, status: int = 200):
    forms = _blank_forms(visit)
    actions = reception.allowed_actions(visit, request.user)
    if bound is not None:
        forms[bound[0]] = bound[1]
        if bound[0] not in actions:  # the page will not show that form: say why here
            form_errors_to_messages(request, bound[1])
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "phone": phone_for(request.user, visit.caller_phone),
            "events": visit.events.select_related("actor"),
            "deadlines": selectors.deadlines_of(visit),
            "complaint": complaint_services.complaint_of(visit),
            "defect": getattr(visit, "defect", None),
            "actions": actions,
            "note_form": forms["note"],
            "resolve_form": forms["resolve"],
            "callback_form": forms["callback"],
            "transfer_form": forms["transfer"],
            "repair_form": forms["to-repair"],
            "complaint_form": forms["to-complaint"],
            "defect_form": forms["to-defect"],
            "handover_items": visit.handover_items.select_related("handover", "from_owner"),
        },
        status=status,
    )


@login_required
def detail(request, pk: int):
    return _render_detail(request, _visit_of(request, pk))


def _bound_form(request, visit: Visit, name: str):
    if name == "note":
        return f.NoteForm(request.POST)
    if name == "resolve":
        return f.ResolveForm(request.POST)
    if name == "callback":
        return f.CallbackForm(request.POST)
    if name == "transfer":
        return f.TransferForm(request.POST, staff=staff_of(visit.estate))
    if name == "to-repair":
        return f.ToRepairForm(request.POST, estate=visit.estate, prefix="repair")
    if name == "to-complaint":
        return f.ToComplaintForm(request.POST, prefix="complaint")
    if name == "to-defect":
        return f.ToDefectForm(request.POST, prefix="defect")
    return None


# Actions on an entry: the service, and the message when it succeeded. Those that create another
# record (a repair, a complaint) go on to its page.
ENTRY_ACTIONS = {
    "note": (reception.visit_add_note, _("Note added.")),
    "resolve": (reception.visit_resolve, _("Resolved. Call the resident back to close it.")),
    "callback": (reception.visit_record_callback, _("Callback recorded; the entry is closed.")),
    "transfer": (reception.visit_transfer, _("Owner changed.")),
    "to-repair": (reception.visit_convert_to_repair, _("Repair created from the entry.")),
    "to-complaint": (
        complaint_services.visit_convert_to_complaint,
        _("Complaint created from the entry."),
    ),
}
CREATES_RECORD = {"to-repair", "to-complaint"}


def _call(request, visit: Visit, name: str, form):
    """The service call of action `name`: (ok, where to go next)."""
    user, data = request.user, form.cleaned_data
    back = visit.get_absolute_url()
    if name in ENTRY_ACTIONS:
        service, ok_message = ENTRY_ACTIONS[name]
        ok, result = run(
            request,
            service,
            visit_id=visit.pk,
            actor=user,
            form=form,
            ok_message=ok_message,
            **data,
        )
        return ok, (result.get_absolute_url() if ok and name in CREATES_RECORD else back)
    # to-defect
    if visit.unit_id is None:
        form.add_error(None, _("A defect form needs the unit: add it to the entry first."))
        return False, back
    ok, defect = run(
        request,
        defect_services.defect_create,
        estate=visit.estate,
        actor=user,
        unit=visit.unit,
        visit=visit,
        form=form,
        ok_message=_("Defect rework form created."),
        **data,
    )
    return ok, defect.get_absolute_url() if ok else back


@login_required
@require_POST
def action(request, pk: int, name: str):
    visit = _visit_of(request, pk)
    if name == "pm-noted":
        run(
            request,
            reception.visit_pm_note,
            visit_id=visit.pk,
            actor=request.user,
            ok_message=_("Marked as read."),
        )
        back = safe_next(request, request.POST.get("next"), visit.get_absolute_url())
        return HttpResponseRedirect(back)
    if name == "take":
        run(
            request,
            first_contact.visit_take,
            visit_id=visit.pk,
            actor=request.user,
            ok_message=_("%(number)s is yours now.") % {"number": visit.number},
        )
        return HttpResponseRedirect(visit.get_absolute_url())
    form = _bound_form(request, visit, name)
    if form is None:
        raise Http404
    if form.is_valid():
        ok, target = _call(request, visit, name, form)
        if ok:
            return HttpResponseRedirect(target)
    # Refused or invalid: the same page again, with what the user typed and why.
    return _render_detail(request, _visit_of(request, pk), bound=(name, form), status=400)


@login_required
def praise_list(request):
    unread = request.GET.get("all") != "1"
    return render(
        request,
        "visits/praise.html",
        {
            "visits": selectors.praise_and_suggestions(request.user, unread_only=unread)[:200],
            "unread_only": unread,
            "can_note": has_role(request.user, PRAISE_READERS),
        },
    )
