"""The owners' keys: entrustment at the front desk, hand-over to the area administrator, the
confirmation call and the return; the move-in issue and its receipt; a unit's key file."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keys import selectors, services
from keys.forms import (
    EntrustForm,
    HandoverForm,
    IssueForm,
    OwnerCallForm,
    ReleaseForm,
    UnitLookupForm,
)
from keys.models import Entrustment, Key, KeyReceipt, OwnerCall
from keys.views.common import done, form_page, keys_view
from propserv.documents import Document, Fields, Grid, Heading, Signatures, Text, document_response
from propserv.models import Resident, Unit
from propserv.phones import phone_for
from propserv.roles import KEY_DESK, has_role
from propserv.web import attempt, estates_for


@keys_view(KEY_DESK)
def entrust(request):
    lookup = UnitLookupForm(request.GET or None, estates=estates_for(request.user))
    unit = lookup.cleaned_data.get("unit") if request.GET and lookup.is_valid() else None
    form = None
    if unit is not None:
        form = EntrustForm(request.POST or None, unit=unit)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            ok, entrustment = attempt(
                request,
                services.entrustment_intake,
                form=form,
                owner=d["owner"],
                count=d["count"],
                reason=d["reason"],
                description=d["description"],
                owner_id_last4=d["owner_id_last4"],
                identity_checked=d["identity_checked"],
                waiver_accepted=d["waiver_accepted"],
                actor=request.user,
            )
            if ok:
                return done(
                    request,
                    entrustment.key.get_absolute_url(),
                    _("Key %(tag)s received from %(owner)s. Hand it to the area administrator.")
                    % {"tag": entrustment.key.tag_code, "owner": entrustment.owner.name},
                )
    return form_page(
        request,
        "keys/entrust.html",
        {"lookup": lookup, "unit": unit, "form": form, "waiver": services.waiver_text()},
        form,
    )


@keys_view(KEY_DESK)
def handover(request, pk):
    key = get_object_or_404(selectors.visible_keys(request.user), pk=pk)
    entrustment = get_object_or_404(Entrustment, key=key)
    form = HandoverForm(
        request.POST or None, estate=key.estate, initial={"handed_by": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _result = attempt(
            request,
            services.entrustment_handover,
            form=form,
            entrustment=entrustment,
            handed_by=d["handed_by"],
            handed_to=d["handed_to"],
            slot=d["slot"],
            actor=request.user,
        )
        if ok:
            return done(
                request, key.get_absolute_url(), _("Handed over; the key is in the cabinet.")
            )
    return form_page(
        request,
        "keys/form.html",
        {"form": form, "key": key, "title": _("Hand over to the area administrator")},
        form,
    )


@keys_view(KEY_DESK)
def owner_call(request, pk):
    key = get_object_or_404(selectors.visible_keys(request.user), pk=pk, kind=Key.Kind.ENTRUSTED)
    form = OwnerCallForm(request.POST or None, initial={"phone": key.owner.phone})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, call = attempt(
            request,
            services.owner_call_log,
            form=form,
            key=key,
            phone=d["phone"],
            confirmed=d["confirmed"],
            collector_name=d["collector_name"],
            note=d["note"],
            actor=request.user,
        )
        if ok:
            url = reverse("keys:release", args=[key.pk])
            if call.confirmed:
                text = _("Call logged: the owner confirmed %(name)s.") % {
                    "name": call.collector_name
                }
                return done(request, url, text)
            text = _("Call logged: the owner did not confirm; do not release the key.")
            return done(request, url, text, error=True)
    return form_page(
        request,
        "keys/form.html",
        {
            "form": form,
            "key": key,
            "title": _("Phone the owner to confirm the collector"),
            "owner_phone": phone_for(request.user, key.owner.phone),
        },
        form,
    )


@keys_view(KEY_DESK)
def release(request, pk):
    key = get_object_or_404(selectors.visible_keys(request.user), pk=pk)
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
        ok, released = attempt(
            request,
            services.entrustment_release,
            form=form,
            entrustment=entrustment,
            collector_is_owner=d["collector_is_owner"],
            collector_name=d["collector_name"],
            collector_id_last4=d["collector_id_last4"],
            identity_checked=d["identity_checked"],
            call=d["call"],
            actor=request.user,
        )
        if ok:
            return done(
                request,
                key.get_absolute_url(),
                _("Key %(tag)s returned to %(name)s.")
                % {"tag": key.tag_code, "name": released.collector_name},
            )
    return form_page(
        request,
        "keys/release.html",
        {"form": form, "key": key, "entrustment": entrustment, "calls": calls},
        form,
    )


# --- move-in ----------------------------------------------------------------------------------


@keys_view(KEY_DESK)
def issue(request, unit_pk):
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=unit_pk)
    owners = unit.residents.current().filter(role=Resident.Role.OWNER)
    form = IssueForm(
        request.POST or None,
        unit=unit,
        initial={"owner": owners.first().pk if owners.count() == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, receipt = attempt(
            request,
            services.keys_issue_to_owner,
            form=form,
            unit=unit,
            owner=d["owner"],
            keys=list(d["keys"]),
            owner_id_last4=d["owner_id_last4"],
            identity_checked=d["identity_checked"],
            actor=request.user,
        )
        if ok:
            return done(
                request,
                receipt.get_absolute_url(),
                _("Keys issued. Print the receipt for the owner to sign."),
            )
    return form_page(
        request,
        "keys/issue.html",
        {"form": form, "unit": unit, "refusals": services.move_in_refusals(unit)},
        form,
    )


def receipt_document(receipt: KeyReceipt, lines, copies) -> Document:
    """The move-in key receipt as a printable: one page per copy (owner's, file)."""
    blocks = []
    issued_by = receipt.issued_by.get_full_name() or receipt.issued_by.get_username()
    for copy in copies:
        blocks += [
            Heading(f"{receipt.estate.name} · {_('Key receipt')} ({copy})"),
            Fields(
                [
                    (_("Number"), receipt.number),
                    (_("Unit"), receipt.unit.code),
                    (
                        pgettext("keys", "Owner"),
                        f"{receipt.owner.name} · {_('ID card ending')} {receipt.owner_id_last4}",
                    ),
                    (
                        _("Issued"),
                        f"{timezone.localtime(receipt.issued_at):%Y-%m-%d %H:%M} · {issued_by}",
                    ),
                ]
            ),
            Grid(
                [_("Tag"), _("What the bunch holds"), pgettext("keys", "Keys")],
                [[line.key.tag_code, line.key.description, line.count] for line in lines],
            ),
            Text(
                _(
                    "The owner's identity was verified and the hand-over formalities were completed before the keys were issued."
                )
            ),
            Signatures([_("Owner's signature"), pgettext("keys", "Issued by"), _("Date")]),
        ]
    return Document(
        title=f"{_('Key receipt')} {receipt.number}",
        filename=f"key-receipt-{receipt.number}",
        blocks=blocks,
    )


@keys_view()
def receipt(request, pk):
    """The receipt's print view (two copies); `?format=pdf`: the same as a PDF."""
    obj = get_object_or_404(
        KeyReceipt.objects.for_user(request.user).select_related(
            "unit", "owner", "issued_by", "estate"
        ),
        pk=pk,
    )
    copies = [_("Owner's copy"), _("File copy")]
    if request.GET.get("format") == "pdf":
        lines = list(obj.lines.select_related("key"))
        return document_response(request, receipt_document(obj, lines, copies), fmt="pdf")
    return render(
        request,
        "keys/receipt.html",
        {
            "receipt": obj,
            "lines": obj.lines.select_related("key"),
            "copies": copies,
        },
    )


@keys_view()
def unit_file(request, unit_pk):
    """The unit's key file: every key, entrustment, receipt and lost-key record of the unit."""
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=unit_pk)
    return render(
        request,
        "keys/unit_file.html",
        {"unit": unit, **selectors.unit_file(unit), "can_desk": has_role(request.user, KEY_DESK)},
    )
