"""The cabinet's other records: contractors, lost or damaged keys and their lock changes, vacant
units (the plan, the inspections, the monthly report as CSV or XLSX)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keys import rules, selectors, services
from keys.forms import (
    ConsentForm,
    ContractorForm,
    ContractorPersonForm,
    IncidentForm,
    LockChangeForm,
    VacantRecordForm,
)
from keys.models import Contractor, KeyIncident, VacantInspection
from keys.views.common import (
    back_to,
    done,
    form_page,
    keys_view,
    report_estate,
    report_month,
    with_params,
)
from propserv.exports import (
    XLSX_TYPE,
    Column,
    Table,
    attachment,
    sections_csv_bytes,
    workbook_bytes,
)
from propserv.phones import phone_for
from propserv.roles import KEY_DESK, KEY_VACANT_INSPECTORS, can_see_phones, has_role
from propserv.web import attempt, estates_for

# --- contractors ------------------------------------------------------------------------------


@keys_view()
def contractors(request):
    back = back_to(request)  # the loan form, when the user came from it
    form = ContractorForm(request.POST or None, estates=estates_for(request.user))
    if request.method == "POST":
        if not has_role(request.user, KEY_DESK):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            ok, contractor = attempt(
                request,
                services.contractor_register,
                form=form,
                estate=d["estate"],
                name=d["name"],
                phone=d["phone"],
                liaison=d["liaison"],
                actor=request.user,
            )
            if ok:
                target = contractor.get_absolute_url()
                return done(
                    request,
                    with_params(target, next=back) if back else target,
                    _("%(name)s is registered. Now register its responsible person.")
                    % {"name": contractor.name},
                )
    items = Contractor.objects.for_user(request.user).prefetch_related("people")
    return form_page(
        request,
        "keys/contractors.html",
        {
            "form": form,
            "contractors": items,
            "can_desk": has_role(request.user, KEY_DESK),
            "back": back,
        },
        form,
    )


@keys_view()
def contractor(request, pk):
    obj = get_object_or_404(
        Contractor.objects.for_user(request.user).select_related("liaison"), pk=pk
    )
    back = back_to(request)  # the loan form, when the user came from it
    form = ContractorPersonForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, KEY_DESK):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            ok, person = attempt(
                request,
                services.contractor_person_register,
                form=form,
                contractor=obj,
                name=d["name"],
                phone=d["phone"],
                id_last4=d["id_last4"],
                actor=request.user,
            )
            if ok:
                return done(
                    request,
                    with_params(back, person=person.pk) if back else obj.get_absolute_url(),
                    _("%(name)s is registered as a responsible person.") % {"name": person.name},
                )
    # The ID card's last digits only for the desk, as on /api/v1/contractors/.
    show_id = can_see_phones(request.user)
    people = [
        {
            "person": p,
            "phone": phone_for(request.user, p.phone),
            "id_last4": p.id_last4 if show_id else "",
            "lend_url": with_params(back, person=p.pk) if back and p.active else "",
        }
        for p in obj.people.all()
    ]
    return form_page(
        request,
        "keys/contractor.html",
        {
            "contractor": obj,
            "people": people,
            "form": form,
            "can_desk": has_role(request.user, KEY_DESK),
            "back": back,
        },
        form,
    )


# --- lost or damaged --------------------------------------------------------------------------


@keys_view(KEY_DESK)
def incident_new(request, pk):
    key = get_object_or_404(selectors.visible_keys(request.user), pk=pk)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, incident = attempt(
            request,
            services.incident_report,
            form=form,
            key=key,
            kind=d["kind"],
            description=d["description"],
            responsible_party=d["responsible_party"],
            actor=request.user,
        )
        if ok:
            return HttpResponseRedirect(incident.get_absolute_url())
    return form_page(
        request,
        "keys/form.html",
        {"form": form, "key": key, "title": _("Report a lost or damaged key")},
        form,
    )


def _incident_step(request, obj, consent_form, lock_form):
    """The POSTed step of a lost-key report: (ok, the incident)."""
    step = request.POST.get("step")
    if step == "consent" and consent_form.is_valid():
        d = consent_form.cleaned_data
        return attempt(
            request,
            services.incident_consent,
            form=consent_form,
            incident=obj,
            consent_by=d["consent_by"],
            consent_how=d["consent_how"],
            actor=request.user,
        )
    if step == "lock" and lock_form.is_valid():
        d = lock_form.cleaned_data
        return attempt(
            request,
            services.incident_lock_change,
            form=lock_form,
            incident=obj,
            lock_changed_by=d["lock_changed_by"],
            new_count=d["new_count"],
            new_slot=d["new_slot"],
            new_tag_code=d["new_tag_code"],
            actor=request.user,
        )
    return False, None


@keys_view()
def incident(request, pk):
    obj = get_object_or_404(
        KeyIncident.objects.for_user(request.user).select_related(
            "key", "key__unit", "key__owner", "new_key", "reported_by"
        ),
        pk=pk,
    )
    step = request.POST.get("step")
    consent_form = ConsentForm(
        request.POST if step == "consent" else None,
        initial={"consent_by": obj.key.owner.name if obj.key.owner_id else ""},
    )
    lock_form = LockChangeForm(
        request.POST if step == "lock" else None,
        initial={"new_slot": obj.key.slot, "new_count": obj.key.count},
    )
    if request.method == "POST":
        if not has_role(request.user, KEY_DESK):
            raise PermissionDenied
        ok, result = _incident_step(request, obj, consent_form, lock_form)
        if ok:
            text = ""
            if step == "lock":
                text = _("Old key retired; new key %(tag)s registered.") % {
                    "tag": result.new_key.tag_code
                }
            return done(request, obj.get_absolute_url(), text)
    return form_page(
        request,
        "keys/incident.html",
        {
            "incident": obj,
            "consent_form": consent_form,
            "lock_form": lock_form,
            "actions": services.allowed_actions(obj, request.user),
        },
        consent_form,
        lock_form,
    )


# --- vacant units -----------------------------------------------------------------------------


def _vacant_url(estate, month) -> str:
    return f"{reverse('keys:vacant')}?estate={estate.code}&month={month:%Y-%m}"


@keys_view()
def vacant(request):
    estate, month = report_estate(request), report_month(request)
    if request.method == "POST":
        if not has_role(request.user, KEY_VACANT_INSPECTORS):
            raise PermissionDenied
        ok, created = attempt(
            request, services.vacant_plan_generate, estate=estate, month=month, actor=request.user
        )
        return done(
            request,
            _vacant_url(estate, month),
            _("%(n)s units added to the plan.") % {"n": created} if ok else "",
        )
    return render(
        request,
        "keys/vacant.html",
        {
            "estate": estate,
            "estates": estates_for(request.user),
            "month": month,
            "prev": rules.previous_month(month),
            "next": rules.next_month(month),
            "report": selectors.vacant_report(estate, month),
            "today": timezone.localdate(),
            "can_plan": has_role(request.user, KEY_VACANT_INSPECTORS),
        },
    )


def _yes_no(value) -> str:
    return "" if value is None else (_("yes") if value else _("no"))


SUMMARY_COLUMNS = [
    Column(0, gettext_lazy("Monthly status report"), 28),
    Column(1, gettext_lazy("Units"), 14),
]
INSPECTION_COLUMNS = [
    Column(lambda i: i.unit.code, gettext_lazy("Unit")),
    Column(lambda i: i.unit.get_status_display(), gettext_lazy("Unit status")),
    Column("planned_on", gettext_lazy("Planned on")),
    Column("inspected_at", gettext_lazy("Inspected at"), 18),
    Column(lambda i: _yes_no(i.clean), gettext_lazy("Clean")),
    Column(lambda i: _yes_no(i.facilities_ok), gettext_lazy("Facilities intact")),
    Column("problem", gettext_lazy("Problem found"), 30),
    Column("referred_to", gettext_lazy("Passed to department")),
    Column("resolved_at", gettext_lazy("Problem resolved at"), 18),
]


def _summary_rows(estate, month, report) -> list[list]:
    return [
        [_("Estate"), estate.name],
        [_("Month"), f"{month:%Y-%m}"],
        [_("Due by"), report["due_on"]],
        *[[label, n] for _value, label, n in report["status_counts"]],
        [_("Planned inspections"), report["planned"]],
        [_("Done"), report["done"]],
        [_("With problems"), report["problems"]],
        [_("Problems still open"), report["open_problems"]],
    ]


@keys_view()
def vacant_csv(request):
    """The monthly report: the summary, then the inspections (`?format=xlsx`: two sheets)."""
    estate, month = report_estate(request), report_month(request)
    report = selectors.vacant_report(estate, month)
    summary = _summary_rows(estate, month, report)
    filename = f"vacant-units-{estate.code}-{month:%Y-%m}"
    tables = [
        Table(_("Monthly status report"), SUMMARY_COLUMNS, summary),
        Table(_("Inspection plan"), INSPECTION_COLUMNS, report["inspections"]),
    ]
    if request.GET.get("format") == "xlsx":
        body = workbook_bytes(tables)
        return attachment(body, content_type=XLSX_TYPE, filename=f"{filename}.xlsx")
    body = sections_csv_bytes(tables)
    return attachment(body, content_type="text/csv; charset=utf-8", filename=f"{filename}.csv")


@keys_view()
def vacant_record(request, pk):
    obj = get_object_or_404(
        VacantInspection.objects.for_user(request.user).select_related("unit", "estate"), pk=pk
    )
    back = _vacant_url(obj.estate, obj.month)
    form = VacantRecordForm(request.POST or None, initial={"clean": True, "facilities_ok": True})
    if request.method == "POST":
        if request.POST.get("resolve"):
            attempt(request, services.vacant_problem_resolve, inspection=obj, actor=request.user)
            return HttpResponseRedirect(back)
        if form.is_valid():
            d = form.cleaned_data
            ok, _result = attempt(
                request,
                services.vacant_inspection_record,
                form=form,
                inspection=obj,
                clean=d["clean"],
                facilities_ok=d["facilities_ok"],
                problem=d["problem"],
                referred_to=d["referred_to"],
                actor=request.user,
            )
            if ok:
                return done(
                    request, back, _("Inspection of %(unit)s recorded.") % {"unit": obj.unit.code}
                )
    return form_page(
        request,
        "keys/form.html",
        {"form": form, "title": _("Inspect vacant unit %(unit)s") % {"unit": obj.unit.code}},
        form,
    )
