"""The shapes of the fees pages' input; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fees import rules
from fees.models import Method, OwnerChange, Reminder
from propserv.models import Resident


class UnitLookupForm(forms.Form):
    q = forms.CharField(
        label=_("Unit"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"placeholder": "3-2-1502", "autofocus": True, "type": "search"}
        ),
    )


class PaymentForm(forms.Form):
    charges = forms.TypedMultipleChoiceField(
        label=_("Pay these charges first"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amount = forms.DecimalField(
        label=_("Amount (¥)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Method.choices, widget=forms.RadioSelect, initial=Method.CASH
    )
    reference = forms.CharField(label=_("Payer's reference"), max_length=64, required=False)
    payer_name = forms.CharField(label=_("Paid by"), max_length=64, required=False)
    keep_credit = forms.BooleanField(
        label=_("Keep any amount over the open charges as credit"), required=False
    )

    def __init__(self, *args, open_charges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charges"].choices = [
            (c.pk, f"{c.period:%Y-%m} {c.item.name} ¥{c.open_amount}") for c in open_charges
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PeriodForm(forms.Form):
    period = forms.DateField(
        label=_("Period"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean_period(self) -> dt.date:
        return rules.period_of(self.cleaned_data["period"])


class ArrearsFilterForm(forms.Form):
    building = forms.CharField(label=_("Building"), max_length=16, required=False)
    bucket = forms.ChoiceField(
        label=_("Overdue at least"),
        required=False,
        choices=[
            ("", _("Any")),
            ("d1_30", _("1–30 days")),
            ("d31_90", _("31–90 days")),
            ("d91_180", _("91–180 days")),
            ("d181", _("181 days and more")),
        ],
    )
    in_bucket = forms.ChoiceField(
        label=_("Owing in"),
        required=False,
        choices=[
            ("", _("Any")),
            ("d1_30", _("1–30 days")),
            ("d31_90", _("31–90 days")),
            ("d91_180", _("91–180 days")),
            ("d181", _("181 days and more")),
        ],
    )
    min_amount = forms.DecimalField(
        label=_("Owing at least (¥)"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    min_months = forms.IntegerField(label=_("Months behind at least"), required=False, min_value=0)


class LargeDebtFilterForm(forms.Form):
    building = forms.CharField(label=_("Building"), max_length=16, required=False)
    min_amount = forms.DecimalField(
        label=_("Owing at least (¥)"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    min_months = forms.IntegerField(label=_("Months behind at least"), required=False, min_value=0)


class ReminderForm(forms.Form):
    way = forms.ChoiceField(label=_("How"), choices=Reminder.Way.choices)
    outcome = forms.CharField(label=_("Outcome"), max_length=200)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_on = forms.DateField(
        label=_("Next reminder on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PayerForm(forms.Form):
    payer = forms.ModelChoiceField(
        label=_("Payer"),
        queryset=Resident.objects.none(),
        required=False,
        empty_label=_("The owner (default)"),
    )
    agreement = forms.CharField(label=_("Payer agreement"), max_length=200, required=False)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["payer"].queryset = Resident.objects.filter(unit=unit).order_by("name")


class OwnerChangeForm(forms.Form):
    old_owner = forms.CharField(label=_("Old owner"), max_length=64)
    new_owner = forms.CharField(label=pgettext_lazy("fees", "New owner"), max_length=64)
    decision = forms.ChoiceField(
        label=_("Balance"), choices=OwnerChange.Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))


class DayCloseForm(forms.Form):
    cashier = forms.IntegerField(widget=forms.HiddenInput)
    counted_cash = forms.DecimalField(
        label=_("Cash counted (¥)"), max_digits=12, decimal_places=2, min_value=0
    )
    explanation = forms.CharField(
        label=_("Explanation of any difference"), max_length=200, required=False
    )


PARTS = [
    ("q1", _("1st quarter")),
    ("q2", _("2nd quarter")),
    ("q3", _("3rd quarter")),
    ("q4", _("4th quarter")),
    ("h1", _("1st half-year")),
    ("h2", _("2nd half-year")),
]
PART_MONTHS = {"q1": (1, 3), "q2": (4, 3), "q3": (7, 3), "q4": (10, 3), "h1": (1, 6), "h2": (7, 6)}


class IncomeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    part = forms.ChoiceField(label=_("Part of the year"), choices=PARTS)

    def period(self) -> tuple[dt.date, dt.date]:
        first, count = PART_MONTHS[self.cleaned_data["part"]]
        start = dt.date(self.cleaned_data["year"], first, 1)
        return start, rules.add_months(start, count)
