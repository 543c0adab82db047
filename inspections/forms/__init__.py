"""Forms of the renovation pages: they check the shape of the input; the services check the
rest (docs/architecture.md, "A request that changes something")."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.models import GoodsRelease, PatrolItem, Scope, Verdict, WorkerPass
from keys.models import Contractor, ContractorPerson
from propserv.models import Resident, Unit

DATE = forms.DateInput(attrs={"type": "date"})


class ApplicationForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"))
    owner = forms.ModelChoiceField(Resident.objects.none(), label=_("Owner"))
    contractor = forms.ModelChoiceField(Contractor.objects.none(), label=_("Contractor"))
    responsible = forms.ModelChoiceField(
        ContractorPerson.objects.none(), label=_("Responsible person")
    )
    scope = forms.MultipleChoiceField(
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Scope of work"),
    )
    scope_other = forms.CharField(
        required=False, label=_("Other work"), widget=forms.Textarea(attrs={"rows": 2})
    )
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), widget=DATE)
    deposit = forms.DecimalField(
        label=_("Deposit (yuan)"), min_value=Decimal("0"), max_digits=10, decimal_places=2
    )
    drawing = forms.FileField(required=False, label=_("Drawing (PDF, JPEG or PNG)"))
    document = forms.FileField(required=False, label=_("Other document (PDF, JPEG or PNG)"))

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(estate=estate)
        self.fields["owner"].queryset = Resident.objects.filter(
            estate=estate, role=Resident.Role.OWNER
        ).select_related("unit")
        self.fields["contractor"].queryset = Contractor.objects.filter(estate=estate, active=True)
        self.fields["responsible"].queryset = ContractorPerson.objects.filter(
            contractor__estate=estate, active=True
        ).select_related("contractor")

    def documents(self) -> list[tuple[str, object]]:
        d = self.cleaned_data
        return [(kind, d[kind]) for kind in ("drawing", "document") if d.get(kind)]


class ApproveForm(forms.Form):
    conditions = forms.CharField(
        required=False,
        label=_("Conditions of approval"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons for rejection"), widget=forms.Textarea(attrs={"rows": 3})
    )


class PassForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    id_last4 = forms.CharField(label=_("ID card, last 4"), max_length=4)
    trade = forms.ChoiceField(choices=WorkerPass.Trade.choices, label=_("Trade"))
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    photo = forms.FileField(required=False, label=_("Photo (optional)"))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=200)


class GateForm(forms.Form):
    n = forms.CharField(label=_("Pass number"), max_length=32, required=False)


class PatrolForm(forms.Form):
    """The checklist on the patrol guard's phone: one OK / violation / n.a. per item."""

    notes = forms.CharField(
        required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2})
    )
    photo1 = forms.FileField(required=False, label=_("Photo"))
    photo2 = forms.FileField(required=False, label=_("Photo"))
    photo3 = forms.FileField(required=False, label=_("Photo"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in PatrolItem.choices:
            self.fields[f"item_{code}"] = forms.ChoiceField(
                choices=Verdict.choices,
                initial=Verdict.OK,
                widget=forms.RadioSelect,
                label=label,
            )

    def items(self) -> dict:
        return {code: self.cleaned_data[f"item_{code}"] for code in PatrolItem.values}

    def photos(self) -> list:
        return [
            self.cleaned_data[f"photo{i}"] for i in (1, 2, 3) if self.cleaned_data.get(f"photo{i}")
        ]


class PatrolViolationForm(PatrolForm):
    """The patrol checklist plus what a violation leads to."""

    serious = forms.BooleanField(required=False, label=_("Serious: stop the work"))
    due_at = forms.DateTimeField(
        required=False,
        label=_("Rectify by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class NoticeForm(forms.Form):
    items = forms.MultipleChoiceField(
        choices=PatrolItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Violations"),
    )
    description = forms.CharField(
        label=_("What must be rectified"), widget=forms.Textarea(attrs={"rows": 3})
    )
    serious = forms.BooleanField(required=False, label=_("Serious: stop the work"))
    due_at = forms.DateTimeField(
        label=_("Rectify by"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ReinspectForm(forms.Form):
    passed = forms.TypedChoiceField(
        choices=[("1", _("Rectified: passed")), ("0", _("Not rectified: failed"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        label=_("Result"),
    )
    notes = forms.CharField(
        required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2})
    )
    next_due_at = forms.DateTimeField(
        required=False,
        label=_("New deadline (when failed)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class AcceptanceForm(PatrolForm):
    deductions = forms.CharField(
        required=False,
        label=_("Deductions from the deposit"),
        help_text=_("One a line: reason, amount — e.g. “lift car scratched, 200”."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_deductions(self):
        lines = []
        for raw in (self.cleaned_data["deductions"] or "").splitlines():
            if not raw.strip():
                continue
            reason, sep, amount = raw.replace("，", ",").rpartition(",")
            if not sep:
                raise forms.ValidationError(_("Write each deduction as: reason, amount."))
            lines.append({"reason": reason.strip(), "amount": amount.strip()})
        return lines


class ReleaseForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"))
    carrier_kind = forms.ChoiceField(choices=GoodsRelease.Carrier.choices, label=_("Carried by"))
    carrier_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    goods = forms.CharField(label=_("Goods"), max_length=200)
    quantity = forms.IntegerField(label=_("How many"), min_value=1)
    vehicle = forms.CharField(label=_("Vehicle"), max_length=20, required=False)
    valid_on = forms.DateField(label=_("Valid on"), widget=DATE)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(estate=estate)


class ComplaintLinkForm(forms.Form):
    complaint = forms.CharField(
        label=_("Complaint number"), max_length=16, help_text=_("e.g. TS000123")
    )

    def clean_complaint(self) -> int:
        raw = self.cleaned_data["complaint"].strip().upper().removeprefix("TS")
        if not raw.isdigit():
            raise forms.ValidationError(_("Enter a complaint number such as TS000123."))
        return int(raw)
