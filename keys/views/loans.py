"""Loans: lending, a loan's page, the return, the unit inspection, the re-issue to rectify, the
open and overdue lists, a borrower's history."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keys import selectors, services
from keys.forms import InspectForm, LendForm, ReissueForm, ReturnForm
from keys.models import ContractorPerson, KeyLoan
from keys.views.common import done, form_page, keys_view
from propserv.phones import phone_for
from propserv.roles import KEY_DESK, KEY_INSPECTORS
from propserv.web import attempt, form_errors_to_messages


def _borrower_phone(data) -> str:
    """The typed phone, else the one on record for the chosen borrower."""
    if data["phone"]:
        return data["phone"]
    if data["borrower_person"] is not None:
        return data["borrower_person"].phone
    staff = data["borrower_staff"]
    if staff is not None and hasattr(staff, "staff"):
        return staff.staff.phone
    return ""


@keys_view(KEY_DESK)
def lend(request, pk):
    key = get_object_or_404(selectors.visible_keys(request.user), pk=pk)
    initial = {"count": key.count}
    if request.GET.get("person"):
        initial.update(borrower_kind="contractor", borrower_person=request.GET["person"])
    form = LendForm(
        request.POST or None,
        estate=key.estate,
        persons=selectors.active_persons(key.estate),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, approver = attempt(request, form.approver, request.user, form=form)
        if ok:
            ok, loan = attempt(
                request,
                services.loan_lend,
                form=form,
                key=key,
                borrower_staff=d["borrower_staff"],
                borrower_person=d["borrower_person"],
                phone=_borrower_phone(d),
                count=d["count"],
                reason=d["reason"],
                related_ref=d["related_ref"],
                due_at=d["due_at"],
                approved_by=approver,
                approval_note=d["approval_note"],
                actor=request.user,
            )
        if ok:
            return done(
                request,
                loan.get_absolute_url(),
                _("Key %(tag)s lent to %(name)s, due back %(due)s.")
                % {
                    "tag": key.tag_code,
                    "name": loan.borrower_name,
                    "due": timezone.localtime(loan.due_at).strftime("%m-%d %H:%M"),
                },
            )
    return form_page(
        request,
        "keys/lend.html",
        {
            "form": form,
            "key": key,
            "max_days": key.estate.service_settings.key_loan_max_days,
            "open_loan": key.open_loan(),
        },
        form,
    )


def _loan(request, pk) -> KeyLoan:
    return get_object_or_404(selectors.visible_loans(request.user), pk=pk)


@keys_view()
def loan_detail(request, pk):
    loan = _loan(request, pk)
    now = timezone.now()
    actions = services.allowed_actions(loan, request.user)
    return render(
        request,
        "keys/loan_detail.html",
        {
            "loan": loan,
            "now": now,
            "phone": phone_for(request.user, loan.borrower_phone),
            "overdue": loan.is_overdue(now),
            **selectors.loan_page(loan),
            "actions": actions,
            "return_form": ReturnForm(initial={"count": loan.count}),
            "inspect_form": InspectForm(),
            "reissue_form": ReissueForm(),
        },
    )


def _loan_action(request, loan, form, service, params, success):
    """A POST from the loan's page: `service(loan=…, actor=…, **params(cleaned_data))`; a refusal
    comes back as messages on that page."""
    if form.is_valid():
        ok, _result = attempt(
            request,
            service,
            form=form,
            loan=loan,
            actor=request.user,
            **params(form.cleaned_data),
        )
        if ok:
            return done(request, loan.get_absolute_url(), success)
    form_errors_to_messages(request, form)
    return HttpResponseRedirect(loan.get_absolute_url())


@require_POST
@keys_view(KEY_DESK)
def loan_return(request, pk):
    loan = _loan(request, pk)
    success = _("Key back in the cabinet.")
    if loan.is_contractor:
        names = ", ".join(
            u.get_full_name() or u.get_username() for u in selectors.inspectors_of(loan.estate)
        )
        success += " " + _(
            "The loan closes when the unit passes its inspection; %(names)s will inspect it "
            "(they have been told)."
        ) % {"names": names or _("the patrol guard")}
    return _loan_action(
        request,
        loan,
        ReturnForm(request.POST),
        services.loan_return,
        lambda d: {"count": d["count"]},
        success,
    )


@require_POST
@keys_view(KEY_INSPECTORS)
def loan_inspect(request, pk):
    loan = _loan(request, pk)
    return _loan_action(
        request,
        loan,
        InspectForm(request.POST),
        services.loan_inspect,
        lambda d: {
            "facilities_intact": d["facilities_intact"],
            "clean": d["clean"],
            "notes": d["notes"],
            "rectification": d["rectification"],
        },
        _("Inspection recorded."),
    )


@require_POST
@keys_view(KEY_DESK)
def loan_reissue(request, pk):
    loan = _loan(request, pk)
    return _loan_action(
        request,
        loan,
        ReissueForm(request.POST),
        services.loan_reissue,
        lambda d: {"due_at": d["due_at"]},
        _("Key lent again to the contractor to rectify."),
    )


@keys_view()
def loans(request):
    if request.GET.get("awaiting") == "1":  # the patrol guard's units to inspect
        qs, title = selectors.awaiting_inspection(request.user), _("Units to inspect after a loan")
    else:
        qs = (
            KeyLoan.objects.for_user(request.user)
            .open()
            .select_related("key", "key__unit")
            .order_by("due_at")
        )
        title = _("Open loans")
    return render(request, "keys/loans.html", {"loans": qs, "now": timezone.now(), "title": title})


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
    found = selectors.borrower_staff_loans(request.user, user_pk)
    if found is None:
        raise Http404
    user, qs = found
    return render(
        request,
        "keys/borrower.html",
        {"name": user.get_full_name() or user.get_username(), "loans": qs, "now": timezone.now()},
    )


@keys_view()
def borrower_person(request, pk):
    person = get_object_or_404(
        ContractorPerson.objects.for_user(request.user).select_related("contractor"), pk=pk
    )
    qs = (
        KeyLoan.objects.for_user(request.user)
        .filter(borrower_person=person)
        .select_related("key", "key__unit")
    )
    return render(
        request,
        "keys/borrower.html",
        {
            "name": f"{person.name} · {person.contractor.name}",
            "person": person,
            "phone": phone_for(request.user, person.phone),
            "loans": qs,
            "now": timezone.now(),
        },
    )
