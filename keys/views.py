"""Screens of the key cabinet. Every view reads through `for_user` (a stranger's key is a 404)
and writes through one service."""

from __future__ import annotations

import csv
import datetime as dt
from functools import wraps
from io import BytesIO

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keys import rules, selectors, services
from keys.forms import (
    ConsentForm,
    ContractorForm,
    ContractorPersonForm,
    EntrustForm,
    HandoverForm,
    IncidentForm,
    InspectForm,
    IssueForm,
    KeyRegisterForm,
    LendForm,
    LockChangeForm,
    MonthForm,
    MoveForm,
    OwnerCallForm,
    ReissueForm,
    ReleaseForm,
    ReturnForm,
    SearchForm,
    UnitLookupForm,
    VacantRecordForm,
    apply_service_errors,
)
from keys.models import (
    Contractor,
    ContractorPerson,
    Entrustment,
    Key,
    KeyIncident,
    KeyLoan,
    KeyReceipt,
    OwnerCall,
    VacantInspection,
)
from keys.permissions import DESK_ROLES, INSPECT_ROLES, VIEW_ROLES, has_role
from propserv.models import Unit
from propserv.phones import mask_phone
from propserv.roles import can_see_phones
from propserv.web import estates_for


def keys_view(*roles):
    """Login plus one of `roles` (defaults to everyone who may see the cabinet)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *(roles or VIEW_ROLES)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _run(request, form, call):
    """Call a service; on a rule error put the message on the form and return None."""
    try:
        return call()
    except PermissionDenied:
        form.add_error(None, _("You may not do this in the key cabinet."))
    except ValidationError as exc:
        apply_service_errors(form, exc)
    return None


def _keys(request):
    return Key.objects.for_user(request.user).select_related("estate", "unit", "owner")


def _phone(request, phone: str) -> str:
    return phone if can_see_phones(request.user) else mask_phone(phone)


def _can(request, roles) -> bool:
    return has_role(request.user, *roles)


# --- the cabinet ------------------------------------------------------------------------------


@keys_view()
def cabinet(request):
    form = SearchForm(request.GET or None)
    q = state = ""
    if form.is_valid():
        q, state = form.cleaned_data["q"], form.cleaned_data["state"]
        exact = selectors.exact_tag(request.user, q)
        if exact is not None and request.GET.get("go") != "list":
            return HttpResponseRedirect(exact.get_absolute_url())
    now = timezone.now()
    keys = list(selectors.cabinet(request.user, q, state)[:300])
    return render(
        request,
        "keys/cabinet.html",
        {
            "form": form,
            "q": q,
            "keys": keys,
            "now": now,
            "counts": selectors.cabinet_counts(request.user, now),
            "overdue": list(selectors.overdue_loans(request.user, now)[:20]),
            "can_desk": _can(request, DESK_ROLES),
            "multi_estate": estates_for(request.user).count() > 1,
        },
    )


@keys_view()
def by_tag(request, code):
    """Where a scanned QR code lands."""
    key = get_object_or_404(_keys(request), tag_code=code.strip().upper())
    return HttpResponseRedirect(key.get_absolute_url())


@keys_view()
def key_detail(request, pk):
    key = get_object_or_404(_keys(request), pk=pk)
    now = timezone.now()
    loan = key.open_loan()
    entrustment = (
        Entrustment.objects.filter(key=key)
        .select_related(
            "owner", "received_by", "handed_by", "handed_to", "released_by", "release_call"
        )
        .first()
    )
    incident = key.incidents.exclude(status=KeyIncident.Status.CLOSED).first()
    ctx = {
        "key": key,
        "loan": loan,
        "loan_phone": _phone(request, loan.borrower_phone) if loan else "",
        "overdue": loan.is_overdue(now) if loan else False,
        "now": now,
        "entrustment": entrustment,
        "incident": incident,
        "incidents": key.incidents.all(),
        "events": key.events.select_related("actor", "loan").order_by("-at", "-pk"),
        "loans": key.loans.select_related("lent_by", "received_by").order_by("-lent_at")[:50],
        "ledger_diffs": selectors.key_ledger_check(key),
        "can_desk": _can(request, DESK_ROLES),
        "calls": key.owner_calls.select_related("called_by")[:10],
    }
    ctx["can_release"] = bool(
        entrustment
        and not entrustment.released_at
        and key.state in (Key.State.IN_CABINET, Key.State.AT_DESK)
    )
    if key.state == Key.State.IN_CABINET and not incident and not loan:
        ctx["lend_url"] = reverse("keys:lend", args=[key.pk])
    return render(request, "keys/key_detail.html", ctx)


@keys_view(*DESK_ROLES)
def key_register(request):
    estates = estates_for(request.user)
    form = KeyRegisterForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        key = _run(
            request,
            form,
            lambda: services.key_register(
                estate=d["estate"],
                kind=d["kind"],
                unit=d["unit"],
                area=d["area"],
                count=d["count"],
                slot=d["slot"],
                description=d["description"],
                tag_code=d["tag_code"],
                actor=request.user,
            ),
        )
        if key is not None:
            messages.success(
                request,
                _("Key %(tag)s is in slot %(slot)s.") % {"tag": key.tag_code, "slot": key.slot},
            )
            return HttpResponseRedirect(key.get_absolute_url())
    return render(
        request,
        "keys/form.html",
        {"form": form, "title": _("Register a key")},
        status=400 if form.errors else 200,
    )


@keys_view(*DESK_ROLES)
def key_move(request, pk):
    key = get_object_or_404(_keys(request), pk=pk)
    form = MoveForm(request.POST or None, initial={"slot": key.slot})
    if request.method == "POST" and form.is_valid():
        done = _run(
            request,
            form,
            lambda: services.key_move(
                key=key,
                slot=form.cleaned_data["slot"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("Key %(tag)s moved to slot %(slot)s.")
                % {"tag": done.tag_code, "slot": done.slot},
            )
            return HttpResponseRedirect(key.get_absolute_url())
    return render(
        request,
        "keys/form.html",
        {"form": form, "key": key, "title": _("Move to another slot")},
        status=400 if form.errors else 200,
    )


def _qr_svg(data: str) -> str:
    """An inline SVG QR code of `data` (generated here from a URL we built: safe to inline)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = BytesIO()
    img.save(out)
    svg = out.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 – our own SVG, no XML declaration


@keys_view()
def labels(request, pk=None):
    """Printable tag labels with a QR code that opens the key."""
    keys = _keys(request)
    if pk is not None:
        keys = [get_object_or_404(keys, pk=pk)]
    else:
        ids = [int(i) for i in request.GET.getlist("id") if i.isdigit()]
        keys = keys.filter(pk__in=ids) if ids else keys.filter(state__in=Key.HELD_STATES)
        keys = list(keys.order_by("slot", "tag_code")[:200])
    items = [
        (key, _qr_svg(request.build_absolute_uri(reverse("keys:tag", args=[key.tag_code]))))
        for key in keys
    ]
    return render(request, "keys/labels.html", {"items": items})


# --- owner entrustment ------------------------------------------------------------------------


@keys_view(*DESK_ROLES)
def entrust(request):
    estates = estates_for(request.user)
    lookup = UnitLookupForm(request.GET or None, estates=estates)
    unit = None
    if request.GET and lookup.is_valid():
        unit = lookup.cleaned_data.get("unit")
    form = None
    if unit is not None:
        form = EntrustForm(request.POST or None, unit=unit)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            entrustment = _run(
                request,
                form,
                lambda: services.entrustment_intake(
                    owner=d["owner"],
                    count=d["count"],
                    reason=d["reason"],
                    description=d["description"],
                    owner_id_last4=d["owner_id_last4"],
                    identity_checked=d["identity_checked"],
                    waiver_accepted=d["waiver_accepted"],
                    actor=request.user,
                ),
            )
            if entrustment is not None:
                messages.success(
                    request,
                    _("Key %(tag)s received from %(owner)s. Hand it to the area administrator.")
                    % {"tag": entrustment.key.tag_code, "owner": entrustment.owner.name},
                )
                return HttpResponseRedirect(entrustment.key.get_absolute_url())
    return render(
        request,
        "keys/entrust.html",
        {"lookup": lookup, "unit": unit, "form": form, "waiver": services.waiver_text()},
        status=400 if form is not None and form.errors else 200,
    )


@keys_view(*DESK_ROLES)
def handover(request, pk):
    key = get_object_or_404(_keys(request), pk=pk)
    entrustment = get_object_or_404(Entrustment, key=key)
    form = HandoverForm(
        request.POST or None, estate=key.estate, initial={"handed_by": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _run(
            request,
            form,
            lambda: services.entrustment_handover(
                entrustment=entrustment,
                handed_by=d["handed_by"],
                handed_to=d["handed_to"],
                slot=d["slot"],
                actor=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("Handed over; the key is in the cabinet."))
            return HttpResponseRedirect(key.get_absolute_url())
    return render(
        request,
        "keys/form.html",
        {"form": form, "key": key, "title": _("Hand over to the area administrator")},
        status=400 if form.errors else 200,
    )


@keys_view(*DESK_ROLES)
def owner_call(request, pk):
    key = get_object_or_404(_keys(request), pk=pk, kind=Key.Kind.ENTRUSTED)
    form = OwnerCallForm(request.POST or None, initial={"phone": key.owner.phone})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        call = _run(
            request,
            form,
            lambda: services.owner_call_log(
                key=key,
                phone=d["phone"],
                confirmed=d["confirmed"],
                collector_name=d["collector_name"],
                note=d["note"],
                actor=request.user,
            ),
        )
        if call is not None:
            if call.confirmed:
                messages.success(
                    request,
                    _("Call logged: the owner confirmed %(name)s.") % {"name": call.collector_name},
                )
            else:
                messages.error(
                    request, _("Call logged: the owner did not confirm; do not release the key.")
                )
            return HttpResponseRedirect(reverse("keys:release", args=[key.pk]))
    return render(
        request,
        "keys/form.html",
        {
            "form": form,
            "key": key,
            "title": _("Phone the owner to confirm the collector"),
            "owner_phone": _phone(request, key.owner.phone),
        },
        status=400 if form.errors else 200,
    )


@keys_view(*DESK_ROLES)
def release(request, pk):
    key = get_object_or_404(_keys(request), pk=pk)
    entrustment = get_object_or_404(Entrustment.objects.select_related("owner"), key=key)
    calls = OwnerCall.objects.filter(
        key=key,
        confirmed=True,
        release__isnull=True,
        called_at__gte=timezone.now() - services.CALL_VALID_FOR,
    )
    form = ReleaseForm(
        request.POST or None, calls=calls, initial={"call": calls.first().pk if calls else None}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _run(
            request,
            form,
            lambda: services.entrustment_release(
                entrustment=entrustment,
                collector_is_owner=d["collector_is_owner"],
                collector_name=d["collector_name"],
                collector_id_last4=d["collector_id_last4"],
                identity_checked=d["identity_checked"],
                call=d["call"],
                actor=request.user,
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("Key %(tag)s returned to %(name)s.")
                % {"tag": key.tag_code, "name": done.collector_name},
            )
            return HttpResponseRedirect(key.get_absolute_url())
    return render(
        request,
        "keys/release.html",
        {"form": form, "key": key, "entrustment": entrustment, "calls": calls},
        status=400 if form.errors else 200,
    )


# --- move-in ----------------------------------------------------------------------------------


@keys_view(*DESK_ROLES)
def issue(request, unit_pk):
    from inspections.models import UnitHandover

    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=unit_pk)
    handover_row = UnitHandover.objects.filter(unit=unit).select_related("owner").first()
    form = IssueForm(
        request.POST or None,
        unit=unit,
        initial={"owner": handover_row.owner_id if handover_row else None},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        receipt = _run(
            request,
            form,
            lambda: services.keys_issue_to_owner(
                unit=unit,
                owner=d["owner"],
                keys=list(d["keys"]),
                owner_id_last4=d["owner_id_last4"],
                identity_checked=d["identity_checked"],
                actor=request.user,
            ),
        )
        if receipt is not None:
            messages.success(request, _("Keys issued. Print the receipt for the owner to sign."))
            return HttpResponseRedirect(receipt.get_absolute_url())
    return render(
        request,
        "keys/issue.html",
        {"form": form, "unit": unit, "handover": handover_row},
        status=400 if form.errors else 200,
    )


@keys_view()
def receipt(request, pk):
    obj = get_object_or_404(
        KeyReceipt.objects.for_user(request.user).select_related(
            "unit", "owner", "issued_by", "estate"
        ),
        pk=pk,
    )
    return render(
        request,
        "keys/receipt.html",
        {
            "receipt": obj,
            "lines": obj.lines.select_related("key"),
            "copies": [_("Owner's copy"), _("File copy")],
        },
    )


@keys_view()
def unit_file(request, unit_pk):
    """The unit's key file: every key, entrustment, receipt and lost-key record of the unit."""
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=unit_pk)
    keys = unit.keys.select_related("owner", "replaces").order_by("registered_at")
    return render(
        request,
        "keys/unit_file.html",
        {
            "unit": unit,
            "keys": keys,
            "entrustments": Entrustment.objects.filter(key__unit=unit).select_related(
                "key", "owner", "handed_to", "handed_by"
            ),
            "receipts": unit.key_receipts.select_related("owner", "issued_by"),
            "incidents": KeyIncident.objects.filter(key__unit=unit).select_related(
                "key", "new_key"
            ),
            "loans": KeyLoan.objects.filter(key__unit=unit).select_related("key")[:50],
            "can_desk": _can(request, DESK_ROLES),
        },
    )


# --- loans ------------------------------------------------------------------------------------


def _persons_for(estate):
    return ContractorPerson.objects.filter(
        contractor__estate=estate, active=True, contractor__active=True
    ).select_related("contractor")


@keys_view(*DESK_ROLES)
def lend(request, pk):
    key = get_object_or_404(_keys(request), pk=pk)
    initial = {"count": key.count}
    if request.GET.get("person"):
        initial.update(borrower_kind="contractor", borrower_person=request.GET["person"])
    form = LendForm(
        request.POST or None, estate=key.estate, persons=_persons_for(key.estate), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        phone = d["phone"]
        if not phone:
            if d["borrower_person"] is not None:
                phone = d["borrower_person"].phone
            elif d["borrower_staff"] is not None and hasattr(d["borrower_staff"], "staff"):
                phone = d["borrower_staff"].staff.phone

        def call():
            return services.loan_lend(
                key=key,
                borrower_staff=d["borrower_staff"],
                borrower_person=d["borrower_person"],
                phone=phone,
                count=d["count"],
                reason=d["reason"],
                related_ref=d["related_ref"],
                due_at=d["due_at"],
                approved_by=form.approver(request.user),
                approval_note=d["approval_note"],
                actor=request.user,
            )

        loan = _run(request, form, call)
        if loan is not None:
            messages.success(
                request,
                _("Key %(tag)s lent to %(name)s, due back %(due)s.")
                % {
                    "tag": key.tag_code,
                    "name": loan.borrower_name,
                    "due": timezone.localtime(loan.due_at).strftime("%m-%d %H:%M"),
                },
            )
            return HttpResponseRedirect(loan.get_absolute_url())
    return render(
        request,
        "keys/lend.html",
        {
            "form": form,
            "key": key,
            "max_days": key.estate.service_settings.key_loan_max_days,
            "open_loan": key.open_loan(),
        },
        status=400 if form.errors else 200,
    )


def _loan(request, pk):
    return get_object_or_404(
        KeyLoan.objects.for_user(request.user).select_related(
            "key",
            "key__unit",
            "estate",
            "lent_by",
            "received_by",
            "approved_by",
            "borrower_person__contractor",
            "borrower_staff",
        ),
        pk=pk,
    )


@keys_view()
def loan_detail(request, pk):
    loan = _loan(request, pk)
    now = timezone.now()
    from propserv.models import Deadline

    return render(
        request,
        "keys/loan_detail.html",
        {
            "loan": loan,
            "now": now,
            "phone": _phone(request, loan.borrower_phone),
            "overdue": loan.is_overdue(now),
            "inspections": loan.inspections.select_related("inspector"),
            "rectifications": loan.rectifications.select_related("raised_by", "cleared_by"),
            "events": loan.events.select_related("actor").order_by("at", "pk"),
            "deadlines": Deadline.objects.for_subject(loan).prefetch_related("escalations"),
            "return_form": ReturnForm(initial={"count": loan.count})
            if loan.status == KeyLoan.Status.OUT
            else None,
            "inspect_form": InspectForm()
            if loan.status in (KeyLoan.Status.AWAITING_INSPECTION, KeyLoan.Status.RECTIFYING)
            else None,
            "reissue_form": ReissueForm()
            if loan.status == KeyLoan.Status.RECTIFYING and loan.key.state == Key.State.IN_CABINET
            else None,
            "can_desk": _can(request, DESK_ROLES),
            "can_inspect": _can(request, INSPECT_ROLES),
        },
    )


def _loan_action(request, loan, form, call, success):
    if form.is_valid():
        done = _run(request, form, call)
        if done is not None:
            messages.success(request, success)
            return HttpResponseRedirect(loan.get_absolute_url())
    for error in form.non_field_errors():
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label if name in form.fields else name
            for error in errors:
                messages.error(request, f"{label}: {error}")
    return HttpResponseRedirect(loan.get_absolute_url())


@require_POST
@keys_view(*DESK_ROLES)
def loan_return(request, pk):
    loan = _loan(request, pk)
    form = ReturnForm(request.POST)
    return _loan_action(
        request,
        loan,
        form,
        lambda: services.loan_return(
            loan=loan, count=form.cleaned_data["count"], actor=request.user
        ),
        _("Key back in the cabinet.")
        + (
            " " + _("The loan closes when the unit passes its inspection.")
            if loan.is_contractor
            else ""
        ),
    )


@require_POST
@keys_view(*INSPECT_ROLES)
def loan_inspect(request, pk):
    loan = _loan(request, pk)
    form = InspectForm(request.POST)

    def call():
        d = form.cleaned_data
        return services.loan_inspect(
            loan=loan,
            facilities_intact=d["facilities_intact"],
            clean=d["clean"],
            notes=d["notes"],
            rectification=d["rectification"],
            actor=request.user,
        )

    return _loan_action(request, loan, form, call, _("Inspection recorded."))


@require_POST
@keys_view(*DESK_ROLES)
def loan_reissue(request, pk):
    loan = _loan(request, pk)
    form = ReissueForm(request.POST)
    return _loan_action(
        request,
        loan,
        form,
        lambda: services.loan_reissue(
            loan=loan, due_at=form.cleaned_data["due_at"], actor=request.user
        ),
        _("Key lent again to the contractor to rectify."),
    )


@keys_view()
def loans(request):
    qs = (
        KeyLoan.objects.for_user(request.user)
        .open()
        .select_related("key", "key__unit")
        .order_by("due_at")
    )
    return render(
        request, "keys/loans.html", {"loans": qs, "now": timezone.now(), "title": _("Open loans")}
    )


@keys_view()
def overdue(request):
    now = timezone.now()
    return render(
        request,
        "keys/loans.html",
        {
            "loans": selectors.overdue_loans(request.user, now),
            "now": now,
            "title": _("Overdue keys"),
            "overdue_page": True,
        },
    )


@keys_view()
def borrower_staff(request, user_pk):
    user = get_object_or_404(get_user_model(), pk=user_pk)
    qs = (
        KeyLoan.objects.for_user(request.user)
        .filter(borrower_staff=user)
        .select_related("key", "key__unit")
    )
    if (
        not qs.exists()
        and not get_user_model()
        .objects.filter(pk=user_pk, staff__estates__in=estates_for(request.user))
        .exists()
    ):
        raise Http404
    return render(
        request,
        "keys/borrower.html",
        {"name": user.get_full_name() or user.get_username(), "loans": qs, "now": timezone.now()},
    )


@keys_view()
def borrower_person(request, pk):
    p = get_object_or_404(
        ContractorPerson.objects.for_user(request.user).select_related("contractor"), pk=pk
    )
    qs = (
        KeyLoan.objects.for_user(request.user)
        .filter(borrower_person=p)
        .select_related("key", "key__unit")
    )
    return render(
        request,
        "keys/borrower.html",
        {
            "name": f"{p.name} · {p.contractor.name}",
            "person": p,
            "phone": _phone(request, p.phone),
            "loans": qs,
            "now": timezone.now(),
        },
    )


# --- contractors ------------------------------------------------------------------------------


@keys_view()
def contractors(request):
    estates = estates_for(request.user)
    form = ContractorForm(request.POST or None, estates=estates)
    if request.method == "POST":
        if not _can(request, DESK_ROLES):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            done = _run(
                request,
                form,
                lambda: services.contractor_register(
                    estate=d["estate"],
                    name=d["name"],
                    phone=d["phone"],
                    liaison=d["liaison"],
                    actor=request.user,
                ),
            )
            if done is not None:
                return HttpResponseRedirect(done.get_absolute_url())
    items = Contractor.objects.for_user(request.user).prefetch_related("people")
    return render(
        request,
        "keys/contractors.html",
        {"form": form, "contractors": items, "can_desk": _can(request, DESK_ROLES)},
        status=400 if form.errors else 200,
    )


@keys_view()
def contractor(request, pk):
    obj = get_object_or_404(
        Contractor.objects.for_user(request.user).select_related("liaison"), pk=pk
    )
    form = ContractorPersonForm(request.POST or None)
    if request.method == "POST":
        if not _can(request, DESK_ROLES):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            done = _run(
                request,
                form,
                lambda: services.contractor_person_register(
                    contractor=obj,
                    name=d["name"],
                    phone=d["phone"],
                    id_last4=d["id_last4"],
                    actor=request.user,
                ),
            )
            if done is not None:
                messages.success(
                    request,
                    _("%(name)s is registered as a responsible person.") % {"name": done.name},
                )
                return HttpResponseRedirect(obj.get_absolute_url())
    people = [(p, _phone(request, p.phone)) for p in obj.people.all()]
    return render(
        request,
        "keys/contractor.html",
        {"contractor": obj, "people": people, "form": form, "can_desk": _can(request, DESK_ROLES)},
        status=400 if form.errors else 200,
    )


# --- lost or damaged --------------------------------------------------------------------------


@keys_view(*DESK_ROLES)
def incident_new(request, pk):
    key = get_object_or_404(_keys(request), pk=pk)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        incident = _run(
            request,
            form,
            lambda: services.incident_report(
                key=key,
                kind=d["kind"],
                description=d["description"],
                responsible_party=d["responsible_party"],
                actor=request.user,
            ),
        )
        if incident is not None:
            return HttpResponseRedirect(incident.get_absolute_url())
    return render(
        request,
        "keys/form.html",
        {"form": form, "key": key, "title": _("Report a lost or damaged key")},
        status=400 if form.errors else 200,
    )


@keys_view()
def incident(request, pk):
    obj = get_object_or_404(
        KeyIncident.objects.for_user(request.user).select_related(
            "key", "key__unit", "key__owner", "new_key", "reported_by"
        ),
        pk=pk,
    )
    consent_form = ConsentForm(
        request.POST if request.POST.get("step") == "consent" else None,
        initial={"consent_by": obj.key.owner.name if obj.key.owner_id else ""},
    )
    lock_form = LockChangeForm(
        request.POST if request.POST.get("step") == "lock" else None,
        initial={"new_slot": obj.key.slot, "new_count": obj.key.count},
    )
    if request.method == "POST":
        if not _can(request, DESK_ROLES):
            raise PermissionDenied
        if request.POST.get("step") == "consent" and consent_form.is_valid():
            d = consent_form.cleaned_data
            if _run(
                request,
                consent_form,
                lambda: services.incident_consent(
                    incident=obj,
                    consent_by=d["consent_by"],
                    consent_how=d["consent_how"],
                    actor=request.user,
                ),
            ):
                return HttpResponseRedirect(obj.get_absolute_url())
        elif request.POST.get("step") == "lock" and lock_form.is_valid():
            d = lock_form.cleaned_data
            done = _run(
                request,
                lock_form,
                lambda: services.incident_lock_change(
                    incident=obj,
                    lock_changed_by=d["lock_changed_by"],
                    new_count=d["new_count"],
                    new_slot=d["new_slot"],
                    new_tag_code=d["new_tag_code"],
                    actor=request.user,
                ),
            )
            if done is not None:
                messages.success(
                    request,
                    _("Old key retired; new key %(tag)s registered.")
                    % {"tag": done.new_key.tag_code},
                )
                return HttpResponseRedirect(obj.get_absolute_url())
    failed = bool(consent_form.errors or lock_form.errors)
    return render(
        request,
        "keys/incident.html",
        {
            "incident": obj,
            "consent_form": consent_form,
            "lock_form": lock_form,
            "can_desk": _can(request, DESK_ROLES),
        },
        status=400 if failed else 200,
    )


# --- vacant units -----------------------------------------------------------------------------


def _month(request) -> dt.date:
    form = MonthForm(request.GET or None)
    if request.GET.get("month") and form.is_valid():
        return form.cleaned_data["month"].replace(day=1)
    return timezone.localdate().replace(day=1)


def _estate(request):
    estates = estates_for(request.user)
    code = request.GET.get("estate") or request.POST.get("estate")
    estate = estates.filter(code=code).first() if code else estates.order_by("name").first()
    if estate is None:
        raise Http404
    return estate


@keys_view()
def vacant(request):
    estate, month = _estate(request), _month(request)
    if request.method == "POST":
        if not (_can(request, DESK_ROLES) or _can(request, INSPECT_ROLES)):
            raise PermissionDenied
        try:
            created = services.vacant_plan_generate(estate=estate, month=month, actor=request.user)
            messages.success(request, _("%(n)s units added to the plan.") % {"n": created})
        except PermissionDenied:
            messages.error(request, _("You may not do this in the key cabinet."))
        return HttpResponseRedirect(
            f"{reverse('keys:vacant')}?estate={estate.code}&month={month:%Y-%m}"
        )
    report = selectors.vacant_report(estate, month)
    return render(
        request,
        "keys/vacant.html",
        {
            "estate": estate,
            "estates": estates_for(request.user),
            "month": month,
            "prev": (month - dt.timedelta(days=1)).replace(day=1),
            "next": rules.next_month(month),
            "report": report,
            "today": timezone.localdate(),
            "can_plan": _can(request, DESK_ROLES) or _can(request, INSPECT_ROLES),
        },
    )


def csv_safe(value):
    """A text cell a spreadsheet would read as a formula (=, +, -, @, tab, CR) gets a leading
    quote, so it shows as the text typed in."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _SafeCsvWriter:
    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row):
        self._writer.writerow([csv_safe(v) for v in row])


@keys_view()
def vacant_csv(request):
    estate, month = _estate(request), _month(request)
    report = selectors.vacant_report(estate, month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="vacant-units-{estate.code}-{month:%Y-%m}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
    w = _SafeCsvWriter(response)
    w.writerow(
        [
            _("Estate"),
            estate.name,
            _("Month"),
            f"{month:%Y-%m}",
            _("Due by"),
            report["due_on"].isoformat(),
        ]
    )
    w.writerow([])
    w.writerow([_("Unit status"), _("Units")])
    for _value, label, n in report["status_counts"]:
        w.writerow([label, n])
    w.writerow([_("Planned inspections"), report["planned"]])
    w.writerow([_("Done"), report["done"]])
    w.writerow([_("With problems"), report["problems"]])
    w.writerow([_("Problems still open"), report["open_problems"]])
    w.writerow([])
    w.writerow(
        [
            _("Unit"),
            _("Unit status"),
            _("Planned on"),
            _("Inspected at"),
            _("Clean"),
            _("Facilities intact"),
            _("Problem found"),
            _("Passed to department"),
            _("Problem resolved at"),
        ]
    )
    for i in report["inspections"]:
        w.writerow(
            [
                i.unit.code,
                i.unit.get_status_display(),
                i.planned_on.isoformat(),
                timezone.localtime(i.inspected_at).strftime("%Y-%m-%d %H:%M")
                if i.inspected_at
                else "",
                "" if i.clean is None else (_("yes") if i.clean else _("no")),
                "" if i.facilities_ok is None else (_("yes") if i.facilities_ok else _("no")),
                i.problem,
                i.referred_to,
                timezone.localtime(i.resolved_at).strftime("%Y-%m-%d %H:%M")
                if i.resolved_at
                else "",
            ]
        )
    return response


@keys_view()
def vacant_record(request, pk):
    obj = get_object_or_404(
        VacantInspection.objects.for_user(request.user).select_related("unit", "estate"), pk=pk
    )
    form = VacantRecordForm(request.POST or None, initial={"clean": True, "facilities_ok": True})
    if request.method == "POST":
        if request.POST.get("resolve"):
            services.vacant_problem_resolve(inspection=obj, actor=request.user)
            return HttpResponseRedirect(
                f"{reverse('keys:vacant')}?estate={obj.estate.code}&month={obj.month:%Y-%m}"
            )
        if form.is_valid():
            d = form.cleaned_data
            done = _run(
                request,
                form,
                lambda: services.vacant_inspection_record(
                    inspection=obj,
                    clean=d["clean"],
                    facilities_ok=d["facilities_ok"],
                    problem=d["problem"],
                    referred_to=d["referred_to"],
                    actor=request.user,
                ),
            )
            if done is not None:
                messages.success(
                    request, _("Inspection of %(unit)s recorded.") % {"unit": obj.unit.code}
                )
                return HttpResponseRedirect(
                    f"{reverse('keys:vacant')}?estate={obj.estate.code}&month={obj.month:%Y-%m}"
                )
    return render(
        request,
        "keys/form.html",
        {"form": form, "title": _("Inspect vacant unit %(unit)s") % {"unit": obj.unit.code}},
        status=400 if form.errors else 200,
    )
